import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Session } from '@shop/shared/nest';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users/me')
export class UsersController {
  /** The session already holds id and username; no database read needed. */
  @Get()
  me(@CurrentUser() session: Session): { id: number; username: string } {
    return { id: session.userId, username: session.username };
  }
}
