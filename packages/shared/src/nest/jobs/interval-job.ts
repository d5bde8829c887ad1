import type { Logger } from 'pino';
import { runWithCorrelationId } from '../context/correlation';

/**
 * Runs `tick` every `intervalMs`, never overlapping itself, each run under its own correlation id.
 * Errors are logged and the next run happens on schedule. `stop()` waits for a run in progress.
 */
export class IntervalJob {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly tick: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) {
      return;
    }
    this.timer = setTimeout(() => {
      this.running = this.runOnce().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.intervalMs);
  }

  /** One run now (also used by tests to drive the job deterministically). */
  runOnce(): Promise<void> {
    return runWithCorrelationId(undefined, async () => {
      try {
        await this.tick();
      } catch (err) {
        this.logger.error({ err, job: this.name }, 'job run failed');
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
