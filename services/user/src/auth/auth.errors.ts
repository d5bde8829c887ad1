import { DomainError } from '@shop/shared';

export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('AUTH.INVALID_CREDENTIALS', 'Wrong username or password');
  }
}

export class TooManyAttemptsError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super('AUTH.TOO_MANY_ATTEMPTS', 'Too many failed logins for this username; try again later', { retryAfterSeconds });
  }
}

export class UsernameTakenError extends DomainError {
  constructor(username: string) {
    super('USER.USERNAME_TAKEN', 'That username is taken', { username });
  }
}
