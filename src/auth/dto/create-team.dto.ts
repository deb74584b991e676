import { PartialType } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsStorableText } from '../../common/validation/storable-text.js';
import { LimitFieldsDto } from './create-key.dto.js';

export class CreateTeamDto extends LimitFieldsDto {
  /** A name to recognise the team by. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsStorableText()
  name!: string;
}

/** `PATCH /admin/teams/{id}`: fields present are changed, `null` clears an optional one. */
export class UpdateTeamDto extends PartialType(CreateTeamDto) {}
