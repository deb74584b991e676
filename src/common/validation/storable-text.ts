import { ValidateBy, type ValidationOptions } from 'class-validator';

/** An unpaired UTF-16 surrogate: UTF-8 cannot carry it, so a driver would store U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * True for text both databases store as sent: no NUL (PostgreSQL refuses it in `text`)
 * and no unpaired surrogate (silently replaced on the way to UTF-8).
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/**
 * For admin input that is stored: refuses NUL characters and unpaired surrogates with a
 * 400 naming the field, rather than a database error or a silently altered value.
 * Non-strings pass (the type has its own validator).
 */
export function IsStorableText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStorableText',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || isStorableText(value),
        defaultMessage: () => 'must not contain NUL characters or unpaired UTF-16 surrogates',
      },
    },
    options,
  );
}
