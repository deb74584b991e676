import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { BUDGET_PERIODS, type BudgetPeriod } from '../key.repository.js';

const METADATA_MAX_KEYS = 16;

/** Like OpenAI's `metadata`: at most 16 string values, keys ≤ 64 and values ≤ 512 characters. */
function IsStringMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length <= METADATA_MAX_KEYS &&
          Object.entries(value).every(
            ([k, v]) => k.length <= 64 && typeof v === 'string' && v.length <= 512,
          ),
        defaultMessage: () =>
          `must be an object of at most ${METADATA_MAX_KEYS} string values (keys up to 64, values up to 512 characters)`,
      },
    },
    options,
  );
}

export class CreateKeyDto {
  /** A name to recognise the key by. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  /** When the key stops working (ISO 8601 date-time); omit for never. */
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string | null;

  /**
   * Models the key may call; omit for all. Checked on the routed target: `provider/model`
   * matches that provider instance and upstream model id only; an entry without `/` only a
   * bare name the gateway routed itself; a trailing `*` matches any suffix (`openai/*`,
   * `gpt-4o*`); `*` matches everything.
   */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(300, { each: true })
  models?: string[] | null;

  /** Requests per minute (stored; enforcement is not implemented yet). */
  @IsOptional()
  @IsInt()
  @Min(1)
  rpm?: number | null;

  /** Tokens per minute (stored; enforcement is not implemented yet). */
  @IsOptional()
  @IsInt()
  @Min(1)
  tpm?: number | null;

  /** Spending limit in USD per budget period (stored; enforcement is not implemented yet). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 9 })
  @Min(0)
  @Max(9_000_000)
  budget_usd?: number | null;

  /** The period `budget_usd` applies to; default `total` (never resets). */
  @IsOptional()
  @IsIn(BUDGET_PERIODS)
  budget_period?: BudgetPeriod | null;

  /** Your own labels for the key. */
  @IsOptional()
  @IsStringMap()
  metadata?: Record<string, string> | null;
}
