// One real OS process of the system under test (`node <entry>`), its log file, and the module-wide
// registry that makes sure no process outlives the test run — also when a test fails or jest dies.
import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..');

const live = new Set<ChildProcess>();
const exitHooks: Array<() => void> = [];
let exitHandlerInstalled = false;

/** Runs `fn` synchronously when this (jest worker) process exits, after killing every leftover child. */
export function onProcessExit(fn: () => void): void {
  exitHooks.push(fn);
  installExitHandler();
}

function installExitHandler(): void {
  if (exitHandlerInstalled) {
    return;
  }
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const hook of exitHooks) {
      try {
        hook();
      } catch {
        // best effort at exit
      }
    }
  });
}

export interface Instance {
  readonly name: string;
  readonly index: number;
  readonly port: number;
  readonly url: string;
  /** Pid of the current OS process (changes on restart). */
  readonly pid: number;
  /** Resolves with the exit code (null when a signal ended it) of the current process. */
  readonly exited: Promise<number | null>;
  /** The signal that ended the last process, if one did. */
  readonly exitSignal: NodeJS.Signals | null;
  readonly alive: boolean;
  readonly logFile: string;
  kill(signal: NodeJS.Signals): void;
  /** Stops the process if it still runs, starts it again on the same port (base env + extraEnv), waits ready. */
  restart(extraEnv?: Record<string, string>): Promise<void>;
  /** `GET /metrics` as Prometheus text. */
  metrics(): Promise<string>;
}

export class ManagedProcess implements Instance {
  readonly url: string;
  private child?: ChildProcess;
  private exitPromise: Promise<number | null> = Promise.resolve(null);
  private lastSignal: NodeJS.Signals | null = null;
  private running = false;

  constructor(
    readonly name: string,
    readonly index: number,
    readonly port: number,
    private readonly entry: string,
    private readonly baseEnv: NodeJS.ProcessEnv,
    readonly logFile: string,
    private readonly readyPath: string,
    private readonly readyTimeoutMs: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }
  get exited(): Promise<number | null> {
    return this.exitPromise;
  }
  get exitSignal(): NodeJS.Signals | null {
    return this.lastSignal;
  }
  get alive(): boolean {
    return this.running;
  }

  /** Spawns the process; stdout and stderr both go to the log file (appended across restarts). */
  spawn(extraEnv: Record<string, string> = {}): void {
    installExitHandler();
    appendFileSync(this.logFile, `--- ${new Date().toISOString()} start ${this.name}#${this.index} on :${this.port} ---\n`);
    const fd = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [this.entry], { cwd: ROOT, env: { ...this.baseEnv, ...extraEnv }, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.running = true;
    this.lastSignal = null;
    live.add(child);
    this.exitPromise = new Promise((resolveExit) => {
      const done = (code: number | null, signal: NodeJS.Signals | null): void => {
        live.delete(child);
        if (this.child === child) {
          this.running = false;
          this.lastSignal = signal;
        }
        resolveExit(code);
      };
      child.once('exit', done);
      child.once('error', (err) => {
        appendFileSync(this.logFile, `spawn error: ${err.message}\n`);
        done(null, null);
      });
    });
  }

  /** Polls the readiness endpoint until 200; fails at once (with the log tail) if the process exits. */
  async waitReady(): Promise<void> {
    const deadline = Date.now() + this.readyTimeoutMs;
    let last = 'no answer yet';
    for (;;) {
      if (!this.running) {
        throw new Error(
          `${this.name}#${this.index} exited (code ${await this.exitPromise}, signal ${this.lastSignal}) before it was ready:\n${this.tail()}`,
        );
      }
      try {
        const res = await fetch(`${this.url}${this.readyPath}`, { signal: AbortSignal.timeout(3000) });
        if (res.status === 200) {
          return;
        }
        last = `${res.status} ${await res.text()}`;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name}#${this.index} not ready within ${this.readyTimeoutMs} ms (last: ${last}):\n${this.tail()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) {
      this.child?.kill(signal);
    }
  }

  /** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
  async stop(graceMs = 10000): Promise<void> {
    if (!this.running) {
      return;
    }
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    try {
      await this.exitPromise;
    } finally {
      clearTimeout(timer);
    }
  }

  async restart(extraEnv: Record<string, string> = {}): Promise<void> {
    await this.stop();
    this.spawn(extraEnv);
    await this.waitReady();
  }

  async metrics(): Promise<string> {
    const res = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (res.status !== 200) {
      throw new Error(`${this.name}#${this.index} GET /metrics answered ${res.status}`);
    }
    return res.text();
  }

  tail(lines = 60): string {
    if (!existsSync(this.logFile)) {
      return '(no log file)';
    }
    return readFileSync(this.logFile, 'utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  }
}

/** The last `lines` lines of an instance's log (stdout and stderr of every run of it). */
export function logsOf(instance: Instance, lines = 60): string {
  return instance instanceof ManagedProcess ? instance.tail(lines) : '(not a managed process)';
}

/** Runs a node script (e.g. a CLI of the repo) to completion and returns its exit code and output. */
export function runNode(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [resolve(ROOT, script), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      live.delete(child);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolveRun({ code, stdout, stderr });
    });
  });
}
