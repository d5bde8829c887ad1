import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Session } from '@shop/shared/nest';
import { UserResponseDto } from './user-response';

@ApiTags('users')
@Controller('users/me')
export class UsersController {
  /** The session already holds id and username; no database read needed. */
  @Get()
  @ApiOkResponse({ type: UserResponseDto, description: 'the caller' })
  me(@CurrentUser() session: Session): UserResponseDto {
    return { id: session.userId, username: session.username };
  }
}
