import { CommonEnv, EnvValidationError, loadEnv } from './env';

describe('loadEnv', () => {
  it('takes defaults for unset variables and converts numbers', () => {
    const env = loadEnv(CommonEnv, { SESSION_TTL_SECONDS: '3600' });
    expect(env.SESSION_TTL_SECONDS).toBe(3600);
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('reports every bad value at once, naming each variable', () => {
    let message = '';
    try {
      loadEnv(CommonEnv, { REDIS_URL: 'http://x', SESSION_TTL_SECONDS: 'soon', INTERNAL_TOKEN: 'short', KAFKA_BROKERS: 'nohostport' });
    } catch (err) {
      expect(err).toBeInstanceOf(EnvValidationError);
      message = (err as Error).message;
    }
    for (const name of ['REDIS_URL="http://x"', 'SESSION_TTL_SECONDS="soon"', 'INTERNAL_TOKEN="short"', 'KAFKA_BROKERS="nohostport"']) {
      expect(message).toContain(name);
    }
  });
});
