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
import { PartialType } from '@nestjs/swagger';
import { isStorableText, IsStorableText } from '../../common/validation/storable-text.js';
import { BUDGET_PERIODS, type BudgetPeriod } from '../key.repository.js';

const METADATA_MAX_KEYS = 16;

/** A non-negative amount that is a whole number of nano-dollars (at most 9 decimals). */
export function IsNanoDollars(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNanoDollars',
      validator: {
        validate: (value: unknown) =>
          typeof value !== 'number' || Number(value.toFixed(9)) === value,
        defaultMessage: () => 'must be a whole number of nano-dollars (at most 9 decimal places)',
      },
    },
    options,
  );
}

/** Like OpenAI's `metadata`: at most 16 string values, keys ≤ 64 and values ≤ 512 characters. */
export function IsStringMap(options?: ValidationOptions): PropertyDecorator {
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
            ([k, v]) =>
              k.length <= 64 &&
              typeof v === 'string' &&
              v.length <= 512 &&
              isStorableText(k) &&
              isStorableText(v),
          ),
        defaultMessage: () =>
          `must be an object of at most ${METADATA_MAX_KEYS} string values (keys up to 64, values up to 512 characters, no NUL or unpaired surrogates)`,
      },
    },
    options,
  );
}

/** Limits and allowlist shared by keys and teams (see "Limits and budgets"). */
export class LimitFieldsDto {
  /**
   * Models allowed; omit for all. Checked on the routed target: `provider/model`
   * matches that provider instance and upstream model id only; an entry without `/` only a
   * bare name the gateway routed itself; a trailing `*` matches any suffix (`openai/*`,
   * `gpt-4o*`); `*` matches everything. A key in a team must fit both lists.
   */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(300, { each: true })
  @IsStorableText({ each: true })
  models?: string[] | null;

  /** Requests per minute (fixed UTC-minute window). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647) // a PostgreSQL `integer` column (literal: the OpenAPI plugin reads it)
  rpm?: number | null;

  /** Tokens (prompt + completion, as recorded) per minute; refused once the minute's count reached it. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  tpm?: number | null;

  /** Requests in flight at once (streams count until they end). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  max_parallel?: number | null;

  /** Spending limit in USD per budget period; worst-case cost is reserved before each request. */
  @IsOptional()
  // Not maxDecimalPlaces: class-validator throws on numbers it prints as `1e-9`.
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  // Stored as integer nano-dollars and read back as a double: exact up to here (< 2^53).
  @Max(9_000_000)
  @IsNanoDollars()
  budget_usd?: number | null;

  /** The period `budget_usd` applies to (UTC calendar); default `total` (never resets). */
  @IsOptional()
  @IsIn(BUDGET_PERIODS)
  budget_period?: BudgetPeriod | null;

  /** Your own labels. */
  @IsOptional()
  @IsStringMap()
  metadata?: Record<string, string> | null;
}

export class CreateKeyDto extends LimitFieldsDto {
  /** A name to recognise the key by. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsStorableText()
  name!: string;

  /** The team the key belongs to; its limits, budget and allowlist apply too. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsStorableText()
  team_id?: string | null;

  /** When the key stops working (ISO 8601 date-time); omit for never. */
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string | null;
}

/** `PATCH /admin/keys/{id}`: fields present are changed, `null` clears an optional one. */
export class UpdateKeyDto extends PartialType(CreateKeyDto) {}
