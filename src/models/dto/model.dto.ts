import { ApiProperty } from '@nestjs/swagger';

export class ModelDto {
  /** `provider/model`. */
  @ApiProperty({ example: 'openai/gpt-4o-mini' })
  id!: string;
  @ApiProperty({ enum: ['model'] })
  object!: 'model';
  /** Unix seconds; 0 when the provider does not say. */
  @ApiProperty({ type: 'integer' })
  created!: number;
  /** The provider instance serving it. */
  owned_by!: string;
}

export class ModelListDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';
  data!: ModelDto[];
}
