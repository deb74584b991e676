import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Entries in a page when `limit` is not given. */
export const DEFAULT_PAGE_LIMIT = 100;

/**
 * `?limit&offset` of an admin list, answered as `{data, total}`: every paged query DTO
 * extends this one.
 */
export class PageQueryDto {
  /** Entries per page, 1–1000; default 100. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  // No initializer: a CSV export tells "not given" (everything) from a page size.
  limit?: number;

  /** Entries to skip. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(9_007_199_254_740_991) // Number.MAX_SAFE_INTEGER; the database binds it as an integer
  offset?: number = 0;
}
