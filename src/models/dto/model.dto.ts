import { ApiProperty } from '@nestjs/swagger';

export class ModelDto {
  /** `provider/model`. */
  id!: string;
  @ApiProperty({ enum: ['model'] })
  object!: 'model';
  /** Unix seconds; 0 when the provider does not say. */
  created!: number;
  /** The provider instance serving it. */
  owned_by!: string;
}

export class ModelListDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';
  data!: ModelDto[];
}
