import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/dto/error-response.dto.js';
import { DEFAULT_PAGE_LIMIT, PageQueryDto } from '../common/dto/page-query.dto.js';
import { QueryValidationPipe } from '../common/validation/query-validation.pipe.js';
import { Auth } from './auth.decorator.js';
import { CreateTeamDto, UpdateTeamDto } from './dto/create-team.dto.js';
import { TeamDto, TeamListDto } from './dto/team.dto.js';
import { TeamService } from './team.service.js';

@ApiTags('admin')
@Auth({ admin: true })
@ApiServiceUnavailableResponse({
  description: 'The database is unreachable',
  type: ErrorResponseDto,
})
@Controller('admin/teams')
export class AdminTeamsController {
  constructor(private readonly teams: TeamService) {}

  /** Creates a team: limits, budget and allowlist its keys share (on top of their own). */
  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: TeamDto })
  @ApiBadRequestResponse({ description: 'Invalid or unknown field', type: ErrorResponseDto })
  create(@Body() body: CreateTeamDto): Promise<TeamDto> {
    return this.teams.create(body);
  }

  /** Teams, newest first, a page at a time, each with its spend in its budget period. */
  @Get()
  @ApiOkResponse({ type: TeamListDto })
  @ApiBadRequestResponse({ description: 'Invalid or unknown parameter', type: ErrorResponseDto })
  list(@Query(new QueryValidationPipe()) query: PageQueryDto): Promise<TeamListDto> {
    return this.teams.list(query.limit ?? DEFAULT_PAGE_LIMIT, query.offset ?? 0);
  }

  /** One team. */
  @Get(':id')
  @ApiOkResponse({ type: TeamDto })
  @ApiNotFoundResponse({ description: 'No team with this id', type: ErrorResponseDto })
  get(@Param('id') id: string): Promise<TeamDto> {
    return this.teams.get(id);
  }

  /**
   * Changes a team's name, allowlist, limits or metadata.
   *
   * @remarks Fields present are changed, `null` clears an optional one; in effect on every
   * replica at once with Redis, else within 5 s.
   */
  @Patch(':id')
  @ApiOkResponse({ type: TeamDto })
  @ApiBadRequestResponse({ description: 'Invalid or unknown field', type: ErrorResponseDto })
  @ApiNotFoundResponse({ description: 'No team with this id', type: ErrorResponseDto })
  update(@Param('id') id: string, @Body() body: UpdateTeamDto): Promise<TeamDto> {
    return this.teams.update(id, body);
  }

  /** Deletes a team; 409 while keys (not revoked) still belong to it. */
  @Delete(':id')
  @ApiOkResponse({ type: TeamDto })
  @ApiNotFoundResponse({ description: 'No team with this id', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'Keys still belong to the team', type: ErrorResponseDto })
  delete(@Param('id') id: string): Promise<TeamDto> {
    return this.teams.delete(id);
  }
}
