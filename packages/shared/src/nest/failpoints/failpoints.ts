/**
 * Failpoints: named places where a failure test can make THIS process die for real (SIGKILL, no
 * cleanup, no flush), e.g. `FAILPOINTS=consumer.after-commit:inventory.stock` kills the process
 * right after that consumer's database transaction committed and before Kafka learnt the offset.
 * A crash that a test only pretends proves nothing; this one is the kernel's. Each fires once.
 * Empty (the default) in every real deployment: `hit` is then a Map lookup and nothing else.
 */
export class Failpoints {
  private readonly armed = new Set<string>();

  constructor(spec: string) {
    for (const entry of spec.split(',').filter(Boolean)) {
      this.armed.add(entry.trim());
    }
  }

  hit(name: string, arg: string): void {
    const key = `${name}:${arg}`;
    if (this.armed.delete(key)) {
      process.kill(process.pid, 'SIGKILL');
    }
  }
}
