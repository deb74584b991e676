import type { Type } from '@nestjs/common';
import type { GatewayError } from '../errors/gateway-error.js';

const VALIDATOR_FACTORY = Symbol('tollgate:validator-factory');

export type FastValidator = (body: unknown) => GatewayError | null;

/** Builds a DTO's validator from the DTO itself (e.g. from its OpenAPI schema). */
export type ValidatorFactory = (dto: Type<unknown>) => Promise<FastValidator>;

/**
 * Declares how a hot-path DTO's validator is derived from the DTO. The global validation
 * pipe runs that validator instead of class-validator; it is built once, at start
 * (`validatorOf` from a module's init) or on the first request.
 */
export function ValidatedBy(factory: ValidatorFactory): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(VALIDATOR_FACTORY, factory, target);
  };
}

const built = new WeakMap<object, FastValidator | Promise<FastValidator>>();

/**
 * The DTO's derived validator (a promise while it is being built), or undefined for a DTO
 * validated by class-validator.
 */
export function validatorOf(metatype: unknown): FastValidator | Promise<FastValidator> | undefined {
  if (typeof metatype !== 'function') return undefined;
  const ready = built.get(metatype);
  if (ready) return ready;
  const factory = Reflect.getMetadata(VALIDATOR_FACTORY, metatype) as ValidatorFactory | undefined;
  if (!factory) return undefined;
  const building = factory(metatype as Type<unknown>).then(
    (validate) => {
      built.set(metatype, validate);
      return validate;
    },
    (err: unknown) => {
      built.delete(metatype);
      throw err;
    },
  );
  built.set(metatype, building);
  return building;
}
