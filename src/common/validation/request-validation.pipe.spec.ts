import { jest } from '@jest/globals';
import { IsString } from 'class-validator';
import { ErrorCode, GatewayError } from '../errors/gateway-error.js';
import { RequestValidationPipe } from './request-validation.pipe.js';
import { ValidatedBy } from './validated-by.decorator.js';

const fast = jest.fn((body: unknown) =>
  (body as { name?: unknown }).name === 'bad'
    ? new GatewayError(ErrorCode.InvalidRequest, 'bad name', { param: 'name' })
    : null,
);

@ValidatedBy(fast)
class FastDto {
  // class-validator would reject a number here; the fast validator decides instead.
  @IsString()
  name!: string;
}

class PlainDto {
  @IsString()
  name!: string;
}

describe('RequestValidationPipe', () => {
  const pipe = new RequestValidationPipe();
  beforeEach(() => fast.mockClear());

  it('runs a DTO-declared fast validator instead of class-validator, returning the body as sent', async () => {
    const body = { name: 42, extra: true };
    await expect(pipe.transform(body, { type: 'body', metatype: FastDto })).resolves.toBe(body);
    expect(fast).toHaveBeenCalledWith(body);
    await expect(
      pipe.transform({ name: 'bad' }, { type: 'body', metatype: FastDto }),
    ).rejects.toMatchObject({
      param: 'name',
    });
  });

  it('uses class-validator for other DTOs, naming the param', async () => {
    await expect(
      pipe.transform({ name: 42 }, { type: 'body', metatype: PlainDto }),
    ).rejects.toMatchObject({
      code: ErrorCode.InvalidRequest,
      param: 'name',
    });
    expect(fast).not.toHaveBeenCalled();
  });

  it('refuses a body that is not a JSON object', async () => {
    await expect(pipe.transform([1], { type: 'body', metatype: PlainDto })).rejects.toBeInstanceOf(
      GatewayError,
    );
  });
});
