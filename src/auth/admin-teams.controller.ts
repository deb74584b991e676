import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DEFAULT_PAGE_LIMIT, PageQueryDto } from '../common/dto/page-query.dto.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.decorator.js';
import { API_TAGS } from '../openapi/api-tags.js';
import { QueryValidationPipe } from '../common/validation/query-validation.pipe.js';
import { Auth } from './auth.decorator.js';
import { CreateTeamDto, UpdateTeamDto } from './dto/create-team.dto.js';
import { TeamDto, TeamListDto } from './dto/team.dto.js';
import { TeamService } from './team.service.js';

@ApiTags(API_TAGS.adminTeams)
@Auth({ admin: true })
@Controller('admin/teams')
export class AdminTeamsController {
  constructor(private readonly teams: TeamService) {}

  /**
   * Creates a team.
   *
   * Its limits, budget and allowlist are shared by its keys, on top of their own.
   */
  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: TeamDto })
  @ApiErrorResponses('request', 'fields')
  create(@Body() body: CreateTeamDto): Promise<TeamDto> {
    return this.teams.create(body);
  }

  /** Teams, newest first, a page at a time, each with its spend in its budget period. */
  @Get()
  @ApiOkResponse({ type: TeamListDto })
  @ApiErrorResponses('fields')
  list(@Query(new QueryValidationPipe()) query: PageQueryDto): Promise<TeamListDto> {
    return this.teams.list(query.limit ?? DEFAULT_PAGE_LIMIT, query.offset ?? 0);
  }

  /** One team. */
  @Get(':id')
  @ApiOkResponse({ type: TeamDto })
  @ApiErrorResponses('team')
  get(@Param('id') id: string): Promise<TeamDto> {
    return this.teams.get(id);
  }

  /**
   * Changes a team's name, allowlist, limits or metadata.
   *
   * Fields present are changed, `null` clears an optional one; in effect on every
   * replica at once with Redis, else within 5 s.
   */
  @Patch(':id')
  @ApiOkResponse({ type: TeamDto })
  @ApiErrorResponses('request', 'fields', 'team')
  update(@Param('id') id: string, @Body() body: UpdateTeamDto): Promise<TeamDto> {
    return this.teams.update(id, body);
  }

  /** Deletes a team; 409 while keys (not revoked) still belong to it. */
  @Delete(':id')
  @ApiOkResponse({ type: TeamDto })
  @ApiErrorResponses('team', 'team-delete')
  delete(@Param('id') id: string): Promise<TeamDto> {
    return this.teams.delete(id);
  }
}
