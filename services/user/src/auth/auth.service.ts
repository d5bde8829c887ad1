import { Inject, Injectable } from '@nestjs/common';
import { SessionStore } from '@shop/shared/nest';
import { UserRepository } from '../users/user.repository';
import { InvalidCredentialsError, TooManyAttemptsError, UsernameTakenError } from './auth.errors';
import { LoginThrottle } from './login-throttle';
import { LoginResponseDto } from './login-response';
import { PasswordHasher } from './password-hasher';

export type LoginResult = LoginResponseDto;

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionStore,
    private readonly hasher: PasswordHasher,
    @Inject(LoginThrottle) private readonly throttle: LoginThrottle,
  ) {}

  async register(username: string, password: string): Promise<{ id: number; username: string }> {
    const user = await this.users.createIfUsernameFree(username, await this.hasher.hash(password));
    if (!user) {
      throw new UsernameTakenError(username);
    }
    return { id: user.id, username: user.username };
  }

  async login(username: string, password: string): Promise<LoginResult> {
    const slot = await this.throttle.reserve(username);
    if (!slot.allowed) {
      throw new TooManyAttemptsError(slot.retryAfterSeconds);
    }
    let user: Awaited<ReturnType<UserRepository['findByUsername']>>;
    let ok: boolean;
    try {
      user = await this.users.findByUsername(username);
      ok = user ? await this.hasher.verify(password, user.passwordHash) : (await this.hasher.burn(password), false);
    } catch (err) {
      await this.throttle.succeeded(username).catch(() => undefined); // our failure is not the user's
      throw err;
    }
    if (!user || !ok) {
      throw new InvalidCredentialsError(); // the reserved slot stays counted as a failure
    }
    await this.throttle.succeeded(username);
    const { token, expiresAt } = await this.sessions.create({ userId: user.id, username: user.username });
    return { token, expiresAt: expiresAt.toISOString(), user: { id: user.id, username: user.username } };
  }

  logout(token: string): Promise<void> {
    return this.sessions.revoke(token);
  }
}
