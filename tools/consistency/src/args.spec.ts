import { parseCheckArgs, parseDlqArgs, UsageError } from './args';
import { parseDeadLetterId } from './dead-letters';

describe('check:consistency arguments', () => {
  it('defaults to a live system: 30 s settle, 60 s outbox age, Kafka and the environment sandbox', () => {
    expect(parseCheckArgs([])).toEqual({
      help: false,
      json: false,
      outboxMaxAgeSeconds: 60,
      settleSeconds: 30,
      kafka: true,
      sandbox: undefined,
    });
  });

  it('takes every flag', () => {
    expect(parseCheckArgs(['--json', '--settle', '0', '--outbox-max-age', '5.5', '--no-kafka', '--sandbox', 'http://x:1'])).toEqual({
      help: false,
      json: true,
      outboxMaxAgeSeconds: 5.5,
      settleSeconds: 0,
      kafka: false,
      sandbox: 'http://x:1',
    });
    expect(parseCheckArgs(['--no-sandbox']).sandbox).toBe(false);
  });

  it.each([
    [['--settle', '-1']],
    [['--settle', 'soon']],
    [['--outbox-max-age', '']],
    [['--what']],
    [['extra']],
    [['--sandbox', 'u', '--no-sandbox']],
  ])('refuses %j as a usage error', (argv) => {
    expect(() => parseCheckArgs(argv)).toThrow(UsageError);
  });
});

describe('dlq arguments and ids', () => {
  it('understands list, show <id> and replay <id>, with --json anywhere', () => {
    expect(parseDlqArgs(['list'])).toEqual({ name: 'list', json: false });
    expect(parseDlqArgs(['--json', 'show', 'a.dlq:0:1'])).toEqual({ name: 'show', id: 'a.dlq:0:1', json: true });
    expect(parseDlqArgs(['replay', 'a.dlq:0:1', '--json'])).toEqual({ name: 'replay', id: 'a.dlq:0:1', json: true });
  });

  it.each([[[]], [['list', 'x']], [['show']], [['replay', 'a', 'b']], [['purge', 'a']], [['list', '--all']]])('refuses %j', (argv) => {
    expect(() => parseDlqArgs(argv)).toThrow(UsageError);
  });

  it('splits an id at its last two colons: topic names may hold dots, never colons', () => {
    expect(parseDeadLetterId('t1a2b.order.events.dlq:0:42')).toEqual({ topic: 't1a2b.order.events.dlq', partition: 0, offset: '42' });
    expect(parseDeadLetterId('order.events.dlq:0')).toBeNull();
    expect(parseDeadLetterId('order.events.dlq:x:1')).toBeNull();
  });
});
