import { ValidationPipe } from '@nestjs/common';
import { validationFailure } from './request-validation.pipe.js';

/**
 * For `@Query()` DTOs: validates, converts (`@Type(() => Number)`) and rejects unknown
 * parameters, so a misspelt filter is a 400 rather than silently ignored. Failures use
 * the same OpenAI-style 400 as request bodies.
 */
export class QueryValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => validationFailure(errors),
    });
  }
}
