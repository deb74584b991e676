import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/dto/error-response.dto.js';
import { QueryValidationPipe } from '../common/validation/query-validation.pipe.js';
import { Auth } from './auth.decorator.js';
import { CreateTeamDto, UpdateTeamDto } from './dto/create-team.dto.js';
import { PageQueryDto } from './dto/page-query.dto.js';
import { TeamDto, TeamListDto } from './dto/team.dto.js';
import { TeamService } from './team.service.js';

@ApiTags('admin')
@Auth({ admin: true })
@Controller('admin/teams')
export class AdminTeamsController {
  constructor(private readonly teams: TeamService) {}

  /** Creates a team: limits, budget and allowlist its keys share (on top of their own). */
  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: TeamDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  create(@Body() body: CreateTeamDto): Promise<TeamDto> {
    return this.teams.create(body);
  }

  /** Teams, newest first, each with its recorded spend in its current budget period. */
  @Get()
  @ApiOkResponse({ type: TeamListDto })
  list(@Query(new QueryValidationPipe()) query: PageQueryDto): Promise<TeamListDto> {
    return this.teams.list(query.limit ?? 100, query.offset ?? 0);
  }

  @Get(':id')
  @ApiOkResponse({ type: TeamDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id') id: string): Promise<TeamDto> {
    return this.teams.get(id);
  }

  /** Changes a team (`null` clears an optional field); in effect on every replica at once with Redis. */
  @Patch(':id')
  @ApiOkResponse({ type: TeamDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  update(@Param('id') id: string, @Body() body: UpdateTeamDto): Promise<TeamDto> {
    return this.teams.update(id, body);
  }

  /** Deletes a team; 409 while keys (not revoked) still belong to it. */
  @Delete(':id')
  @ApiOkResponse({ type: TeamDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto })
  delete(@Param('id') id: string): Promise<TeamDto> {
    return this.teams.delete(id);
  }
}
