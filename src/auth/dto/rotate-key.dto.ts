import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `POST /admin/keys/{id}/rotate`. */
export class RotateKeyDto {
  /**
   * Seconds the replaced secret keeps working, on every replica, so clients can move to
   * the new one; 0 (default) ends it at once. At most 604800 (7 days).
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(604_800)
  grace_seconds?: number;
}
