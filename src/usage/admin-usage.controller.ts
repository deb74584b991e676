import { Controller, Get, Headers, Query, Res, StreamableFile } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { Auth } from '../auth/auth.decorator.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.decorator.js';
import { API_TAGS } from '../openapi/api-tags.js';
import { QueryValidationPipe } from '../common/validation/query-validation.pipe.js';
import { UsageLogDto, UsageSummaryDto } from './dto/usage-entry.dto.js';
import { UsageLogQueryDto, UsageSummaryQueryDto } from './dto/usage-query.dto.js';
import { acceptsCsv } from './usage-csv.js';
import { UsageService } from './usage.service.js';

const CSV = 'text/csv; charset=utf-8';

@ApiTags(API_TAGS.adminUsage)
@Auth({ admin: true })
@Controller('admin/usage')
export class AdminUsageController {
  constructor(private readonly usage: UsageService) {}

  /**
   * Usage log entries, newest first, filtered by key, team, provider, model and time.
   *
   * With `Accept: text/csv` the same entries as CSV (RFC 4180, UTF-8, CRLF lines),
   * a header row of the entry's field names first. Text cells that a spreadsheet would run
   * as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) get a leading `'`; null is
   * an empty cell. Without `limit`, a CSV export holds every matching entry from `offset`
   * on, up to 100 000; `x-total-count` says how many matched.
   */
  @Get('log')
  @ApiProduces('application/json', 'text/csv')
  @ApiExtraModels(UsageLogDto)
  @ApiOkResponse({
    description: 'A page of entries, or with `Accept: text/csv` a CSV export.',
    headers: {
      'x-total-count': {
        description: 'CSV: entries matching the filters, all pages.',
        schema: { type: 'integer' },
      },
    },
    content: {
      'application/json': { schema: { $ref: getSchemaPath(UsageLogDto) } },
      'text/csv': { schema: { type: 'string', description: 'CSV of UsageEntryDto fields' } },
    },
  })
  @ApiErrorResponses('fields')
  async log(
    @Query(new QueryValidationPipe()) query: UsageLogQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<UsageLogDto | StreamableFile> {
    if (!acceptsCsv(accept)) return this.usage.log(query);
    const { total, lines } = await this.usage.csv(query);
    res.setHeader('x-total-count', String(total));
    // Byte mode: at most a page or two waits in memory for a slow client.
    return new StreamableFile(Readable.from(lines, { objectMode: false }), {
      type: CSV,
      disposition: 'attachment; filename="tollgate-usage.csv"',
    });
  }

  /**
   * Totals requests, tokens and cost per group.
   *
   * For example spend per team and key per day, in one call. `group_by` takes one or
   * more of `model`, `provider`, `key`, `team` and `day` (UTC), comma-separated
   * (`group_by=team,key,day`); each row's `group` holds those dimensions, key and team
   * names beside their ids. Same filters as the log.
   */
  @Get('summary')
  @ApiOkResponse({ type: UsageSummaryDto })
  @ApiErrorResponses('fields')
  summary(@Query(new QueryValidationPipe()) query: UsageSummaryQueryDto): Promise<UsageSummaryDto> {
    return this.usage.summary(query);
  }
}
