import { ApiProperty, ApiSchema } from '@nestjs/swagger';

export class ErrorObjectDto {
  message!: string;
  /** e.g. invalid_request_error, authentication_error, rate_limit_error, server_error. */
  type!: string;
  /** The request field at fault, when there is one. */
  @ApiProperty({ nullable: true, type: 'string' })
  param!: string | null;
  @ApiProperty({ nullable: true, type: 'string' })
  code!: string | null;
}

/** Every error Tollgate returns, in OpenAI's envelope. */
@ApiSchema({ name: 'ErrorEnvelope' })
export class ErrorResponseDto {
  error!: ErrorObjectDto;
}
