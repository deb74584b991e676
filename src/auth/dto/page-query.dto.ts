import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `?limit&offset` of an admin list. */
export class PageQueryDto {
  /** Entries per page, 1–1000. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number = 100;

  /** Entries to skip. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(9_007_199_254_740_991) // Number.MAX_SAFE_INTEGER; the database binds it as an integer
  offset?: number = 0;
}
