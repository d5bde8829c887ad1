import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';

/**
 * One access-log line per answered request: `{req:{method,url}, res:{statusCode}, responseTime}`
 * with the message "request completed" (the correlation id comes from the logger's mixin, the
 * request's async context), at `error` for a 5xx and `info` otherwise. A request whose client went
 * away before the answer was sent is logged as "request aborted" at `warn`. Paths matching `quiet`
 * (health probes, metrics scrapes) are not logged.
 *
 * This replaced pino-http, which made a child logger with serializers per request: in the CPU
 * profile of the stock-lock endpoint under load it was about 6 % of the inventory process's busy
 * time, for the same line (docs/benchmarks.md, issue 9). Here the line is built only on `finish`.
 */
export function accessLogMiddleware(logger: Logger, quiet: RegExp) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const url = req.url ?? '';
    if (quiet.test(url)) {
      next();
      return;
    }
    const started = performance.now();
    const method = req.method;
    let finished = false;
    res.once('finish', () => {
      finished = true;
      const statusCode = res.statusCode;
      const line = { req: { method, url }, res: { statusCode }, responseTime: Math.round(performance.now() - started) };
      if (statusCode >= 500) {
        logger.error(line, 'request completed');
      } else {
        logger.info(line, 'request completed');
      }
    });
    res.once('close', () => {
      if (!finished) {
        logger.warn({ req: { method, url }, responseTime: Math.round(performance.now() - started) }, 'request aborted');
      }
    });
    next();
  };
}
