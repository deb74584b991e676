import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DEFAULT_PAGE_LIMIT, PageQueryDto } from '../common/dto/page-query.dto.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.decorator.js';
import { API_TAGS } from '../openapi/api-tags.js';
import { QueryValidationPipe } from '../common/validation/query-validation.pipe.js';
import { Auth } from './auth.decorator.js';
import { CreateKeyDto, UpdateKeyDto } from './dto/create-key.dto.js';
import { CreatedKeyDto, KeyDto, KeyListDto } from './dto/key.dto.js';
import { RotateKeyDto } from './dto/rotate-key.dto.js';
import { KeyService } from './key.service.js';

@ApiTags(API_TAGS.adminKeys)
@Auth({ admin: true })
@Controller('admin/keys')
export class AdminKeysController {
  constructor(private readonly keys: KeyService) {}

  /**
   * Creates a managed API key, shown in this response only.
   *
   * The key (`tg-…`) works as a bearer token on `/v1/*` at once; only its hash is
   * stored. Its limits (and its team's) hold on every replica. Unknown fields are refused.
   */
  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: CreatedKeyDto })
  @ApiErrorResponses('request', 'fields', 'team-ref')
  create(@Body() body: CreateKeyDto): Promise<CreatedKeyDto> {
    return this.keys.create(body);
  }

  /** Managed keys, newest first, a page at a time; never a secret. */
  @Get()
  @ApiOkResponse({ type: KeyListDto })
  @ApiErrorResponses('fields')
  list(@Query(new QueryValidationPipe()) query: PageQueryDto): Promise<KeyListDto> {
    return this.keys.list(query.limit ?? DEFAULT_PAGE_LIMIT, query.offset ?? 0);
  }

  /** One key; never its secret. */
  @Get(':id')
  @ApiOkResponse({ type: KeyDto })
  @ApiErrorResponses('key')
  get(@Param('id') id: string): Promise<KeyDto> {
    return this.keys.get(id);
  }

  /**
   * Changes a key's name, team, expiry, allowlist, limits or metadata.
   *
   * Fields present are changed, `null` clears an optional one; in effect on every
   * replica at once with Redis, else within 5 s.
   */
  @Patch(':id')
  @ApiOkResponse({ type: KeyDto })
  @ApiErrorResponses('request', 'fields', 'key', 'team-ref')
  update(@Param('id') id: string, @Body() body: UpdateKeyDto): Promise<KeyDto> {
    return this.keys.update(id, body);
  }

  /**
   * Gives a key a new secret, shown in this response only.
   *
   * Id, name, team, limits and usage history stay. The old secret keeps working for
   * `grace_seconds` (default 0: not at all) on every replica, then gets 401
   * `api_key_rotated`; rotating again ends an earlier grace period at once. The body is a
   * JSON object (`{}` for the defaults). A revoked or expired key gets 409.
   */
  @Post(':id/rotate')
  @HttpCode(200)
  @ApiOkResponse({ type: CreatedKeyDto })
  @ApiErrorResponses('request', 'fields', 'key', 'key-rotate')
  rotate(@Param('id') id: string, @Body() body: RotateKeyDto): Promise<CreatedKeyDto> {
    return this.keys.rotate(id, body.grace_seconds ?? 0);
  }

  /**
   * Revokes a key.
   *
   * The key gets 401 from then on, on every replica (at once with Redis, else within 5 s).
   */
  @Delete(':id')
  @ApiOkResponse({ type: KeyDto })
  @ApiErrorResponses('key')
  revoke(@Param('id') id: string): Promise<KeyDto> {
    return this.keys.revoke(id);
  }
}
