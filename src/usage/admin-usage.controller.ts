import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth } from '../auth/auth.decorator.js';
import { ErrorResponseDto } from '../common/dto/error-response.dto.js';
import { QueryValidationPipe } from '../common/validation/query-validation.pipe.js';
import { UsageLogDto, UsageSummaryDto } from './dto/usage-entry.dto.js';
import { UsageLogQueryDto, UsageSummaryQueryDto } from './dto/usage-query.dto.js';
import { UsageService } from './usage.service.js';

@ApiTags('admin')
@Auth({ admin: true })
@Controller('admin/usage')
export class AdminUsageController {
  constructor(private readonly usage: UsageService) {}

  /** Usage log entries, newest first, filtered by key, provider, model and time range. */
  @Get('log')
  @ApiOkResponse({ type: UsageLogDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  log(@Query(new QueryValidationPipe()) query: UsageLogQueryDto): Promise<UsageLogDto> {
    return this.usage.log(query);
  }

  /** Requests, tokens and cost totalled per model, provider, key or UTC day. */
  @Get('summary')
  @ApiOkResponse({ type: UsageSummaryDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  summary(@Query(new QueryValidationPipe()) query: UsageSummaryQueryDto): Promise<UsageSummaryDto> {
    return this.usage.summary(query);
  }
}
