import { CommonEnv, DEVELOPMENT_INTERNAL_TOKEN, developmentDefaultsInUse, EnvValidationError, loadEnv } from './env';

function problemsOf(source: NodeJS.ProcessEnv): string {
  try {
    loadEnv(CommonEnv, source);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvValidationError);
    return (err as Error).message;
  }
  throw new Error('expected loadEnv to refuse the configuration');
}

describe('loadEnv', () => {
  it('takes defaults for unset variables and converts numbers', () => {
    const env = loadEnv(CommonEnv, { APP_ENV: 'development', SESSION_TTL_SECONDS: '3600' });
    expect(env.SESSION_TTL_SECONDS).toBe(3600);
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('reports every bad value at once, naming each variable', () => {
    const message = problemsOf({
      REDIS_URL: 'http://x',
      SESSION_TTL_SECONDS: 'soon',
      INTERNAL_TOKEN: 'short',
      KAFKA_BROKERS: 'nohostport',
    });
    for (const name of ['REDIS_URL="http://x"', 'SESSION_TTL_SECONDS="soon"', 'INTERNAL_TOKEN="short"', 'KAFKA_BROKERS="nohostport"']) {
      expect(message).toContain(name);
    }
  });
});

describe('HTTP timeouts', () => {
  it('default to API-sized values, and the headers timeout may not exceed the request timeout', () => {
    const env = loadEnv(CommonEnv, { APP_ENV: 'development' });
    expect({ headers: env.HTTP_HEADERS_TIMEOUT_MS, request: env.HTTP_REQUEST_TIMEOUT_MS }).toEqual({ headers: 10000, request: 30000 });
    expect(problemsOf({ APP_ENV: 'development', HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '1000' })).toContain(
      'HTTP_HEADERS_TIMEOUT_MS="5000": must not exceed HTTP_REQUEST_TIMEOUT_MS',
    );
  });
});

describe('development mode versus production', () => {
  it('development mode (APP_ENV=development) applies the development defaults and says which it used', () => {
    const env = loadEnv(CommonEnv, { APP_ENV: 'development' });
    expect(env.APP_ENV).toBe('development');
    expect(env.INTERNAL_TOKEN).toBe(DEVELOPMENT_INTERNAL_TOKEN);
    expect(developmentDefaultsInUse(env)).toEqual(['INTERNAL_TOKEN']);
    expect(developmentDefaultsInUse(loadEnv(CommonEnv, { APP_ENV: 'development', INTERNAL_TOKEN: 'a-real-secret-0123456789' }))).toEqual(
      [],
    );
  });

  it('unset APP_ENV is production: a missing secret is a start-up error, one line for it', () => {
    const message = problemsOf({});
    expect(message).toMatch(/production mode/);
    expect(message.split('\n').filter((l) => l.startsWith('  '))).toEqual([
      '  INTERNAL_TOKEN (unset): required outside development mode (its default is a development value)',
    ]);
  });

  it('production refuses the development INTERNAL_TOKEN even when set explicitly', () => {
    expect(problemsOf({ APP_ENV: 'production', INTERNAL_TOKEN: DEVELOPMENT_INTERNAL_TOKEN })).toContain(
      `INTERNAL_TOKEN="${DEVELOPMENT_INTERNAL_TOKEN}": is the development token`,
    );
  });

  it('production accepts a configuration that sets its secrets', () => {
    const env = loadEnv(CommonEnv, { APP_ENV: 'production', INTERNAL_TOKEN: 'a-real-secret-0123456789' });
    expect(env.APP_ENV).toBe('production');
  });

  it('an unknown mode is refused rather than guessed', () => {
    expect(problemsOf({ APP_ENV: 'dev', INTERNAL_TOKEN: 'a-real-secret-0123456789' })).toContain('APP_ENV="dev"');
  });
});
