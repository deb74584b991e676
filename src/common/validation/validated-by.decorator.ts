import type { GatewayError } from '../errors/gateway-error.js';

const FAST_VALIDATOR = Symbol('tollgate:fast-validator');

export type FastValidator = (body: unknown) => GatewayError | null;

/**
 * Declares a hand-written validator for a hot-path DTO. The global validation pipe runs it
 * instead of class-validator; the DTO's decorators remain the documented contract, and a
 * spec must keep the two in agreement.
 */
export function ValidatedBy(validator: FastValidator): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(FAST_VALIDATOR, validator, target);
  };
}

export function fastValidatorOf(metatype: unknown): FastValidator | undefined {
  if (typeof metatype !== 'function') return undefined;
  return Reflect.getMetadata(FAST_VALIDATOR, metatype) as FastValidator | undefined;
}
