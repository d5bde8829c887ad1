import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentSessionToken, Public } from '@shop/shared/nest';
import { UserResponseDto } from '../users/user-response';
import { AuthService } from './auth.service';
import { LoginResponseDto } from './login-response';
import { LoginDto, RegisterDto } from './dto/credentials.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  @ApiCreatedResponse({ type: UserResponseDto, description: 'the new account' })
  @ApiErrors('USER.USERNAME_TAKEN')
  register(@Body() dto: RegisterDto): Promise<UserResponseDto> {
    return this.auth.register(dto.username, dto.password);
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto, description: 'a new session' })
  @ApiErrors('AUTH.INVALID_CREDENTIALS', 'AUTH.TOO_MANY_ATTEMPTS')
  login(@Body() dto: LoginDto): Promise<LoginResponseDto> {
    return this.auth.login(dto.username, dto.password);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'this session (only this one) no longer works, in every service' })
  logout(@CurrentSessionToken() token: string): Promise<void> {
    return this.auth.logout(token);
  }
}
