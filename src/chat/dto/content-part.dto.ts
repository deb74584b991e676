import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';

/**
 * Message content parts. Their schemas validate `content` (see chat-request.validator.ts);
 * which part types a role may send is checked there too.
 */
export class TextPartDto {
  @ApiProperty({ enum: ['text'] })
  type!: 'text';
  text!: string;
}

export class ImageUrlDto {
  /** An http(s) URL or a `data:` URL with base64 image data. */
  @IsString()
  @IsNotEmpty()
  url!: string;
  @ApiProperty({ enum: ['auto', 'low', 'high'], required: false })
  detail?: 'auto' | 'low' | 'high';
}

export class ImageUrlPartDto {
  @ApiProperty({ enum: ['image_url'] })
  type!: 'image_url';
  image_url!: ImageUrlDto;
}

export class InputAudioDto {
  /** Base64-encoded audio. */
  data!: string;
  /** Audio format, e.g. wav or mp3. */
  format!: string;
}

export class InputAudioPartDto {
  @ApiProperty({ enum: ['input_audio'] })
  type!: 'input_audio';
  input_audio!: InputAudioDto;
}

/** `file_data` (base64) or `file_id` is required. */
export class FileDto {
  /** Base64-encoded file data. */
  file_data?: string;
  file_id?: string;
  filename?: string;
}

export class FilePartDto {
  @ApiProperty({ enum: ['file'] })
  type!: 'file';
  file!: FileDto;
}

export class RefusalPartDto {
  @ApiProperty({ enum: ['refusal'] })
  type!: 'refusal';
  refusal!: string;
}

export const CONTENT_PART_DTOS = [
  TextPartDto,
  ImageUrlPartDto,
  InputAudioPartDto,
  FilePartDto,
  RefusalPartDto,
] as const;

/** The parts an answer's `content` can hold (OpenAI-family upstreams only). */
export const OUTPUT_CONTENT_PART_DTOS = [TextPartDto, RefusalPartDto] as const;

export type ContentPart = InstanceType<(typeof CONTENT_PART_DTOS)[number]>;
