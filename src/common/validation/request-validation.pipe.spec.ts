import { jest } from '@jest/globals';
import { IsString } from 'class-validator';
import { ErrorCode, GatewayError } from '../errors/gateway-error.js';
import { RequestValidationPipe } from './request-validation.pipe.js';
import { ValidatedBy, validatorOf, type FastValidator } from './validated-by.decorator.js';

const derived = jest.fn<FastValidator>((body: unknown) =>
  (body as { name?: unknown }).name === 'bad'
    ? new GatewayError(ErrorCode.InvalidRequest, 'bad name', { param: 'name' })
    : null,
);
const factory = jest.fn(async () => derived);

@ValidatedBy(factory)
class DerivedDto {
  // class-validator would reject a number here; the derived validator decides instead.
  @IsString()
  name!: string;
}

class PlainDto {
  @IsString()
  name!: string;
}

describe('RequestValidationPipe', () => {
  const pipe = new RequestValidationPipe();
  beforeEach(() => derived.mockClear());

  it('runs a DTO-declared derived validator instead of class-validator, returning the body as sent', async () => {
    const body = { name: 42, extra: true };
    await expect(pipe.transform(body, { type: 'body', metatype: DerivedDto })).resolves.toBe(body);
    expect(derived).toHaveBeenCalledWith(body);
    await expect(
      pipe.transform({ name: 'bad' }, { type: 'body', metatype: DerivedDto }),
    ).rejects.toMatchObject({
      param: 'name',
    });
  });

  it('builds the derived validator once, then hands it out without waiting', async () => {
    await pipe.transform({ name: 'x' }, { type: 'body', metatype: DerivedDto });
    await pipe.transform({ name: 'y' }, { type: 'body', metatype: DerivedDto });
    expect(factory).toHaveBeenCalledTimes(1);
    expect(validatorOf(DerivedDto)).toBe(derived);
    expect(validatorOf(PlainDto)).toBeUndefined();
  });

  it('uses class-validator for other DTOs, naming the param', async () => {
    await expect(
      pipe.transform({ name: 42 }, { type: 'body', metatype: PlainDto }),
    ).rejects.toMatchObject({
      code: ErrorCode.InvalidRequest,
      param: 'name',
    });
    expect(derived).not.toHaveBeenCalled();
  });

  it('refuses fields a class-validator DTO does not declare, naming them all', async () => {
    await expect(
      pipe.transform({ name: 'x', team: 1, colour: 'red' }, { type: 'body', metatype: PlainDto }),
    ).rejects.toMatchObject({
      message: "Unknown parameters 'team', 'colour'.",
      param: 'team',
      wireCode: 'unknown_parameter',
    });
    // Unknown fields are named before other faults.
    await expect(
      pipe.transform({ name: 42, team: 1 }, { type: 'body', metatype: PlainDto }),
    ).rejects.toMatchObject({ message: "Unknown parameter 'team'.", param: 'team' });
  });

  it('names a bounded few of many unknown fields, each cut short', async () => {
    const body: Record<string, unknown> = { name: 'x' };
    for (let i = 0; i < 50; i++) body[`f${i}${'x'.repeat(500)}`] = i;
    const err = (await pipe
      .transform(body, { type: 'body', metatype: PlainDto })
      .catch((e: unknown) => e)) as GatewayError;
    expect(err.message).toMatch(/and 40 more\.$/);
    expect(err.message.length).toBeLessThan(1_200);
    expect(err.param).toBe(`f0${'x'.repeat(98)}`);
  });

  it('lets unknown fields through to a DTO with a derived validator (forwarded upstream)', async () => {
    const body = { name: 'x', extra: true };
    await expect(pipe.transform(body, { type: 'body', metatype: DerivedDto })).resolves.toBe(body);
  });

  it('refuses a body that is not a JSON object', async () => {
    await expect(pipe.transform([1], { type: 'body', metatype: PlainDto })).rejects.toBeInstanceOf(
      GatewayError,
    );
  });
});
