// Provisions a single-node KRaft Kafka broker on this machine when none answers: resolves the
// broker from Maven Central into .cache/kafka, formats storage once, starts it detached.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './env.mjs';

const KAFKA_VERSION = '3.9.1';

export function kafkaHome(env) {
  return env.KAFKA_HOME || join(ROOT, '.cache', 'kafka');
}

export function firstBroker(brokers) {
  const [host, port] = brokers.split(',')[0].split(':');
  return { host, port: Number(port) };
}

export function isLocalHost(host) {
  return ['127.0.0.1', 'localhost', '::1'].includes(host);
}

export function portAnswers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function need(cmd, args, hint) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${cmd} is required to provision Kafka (${hint})`);
}

function resolveJars(home, log) {
  const libs = join(home, 'libs');
  const marker = join(libs, `.kafka-${KAFKA_VERSION}`);
  if (existsSync(marker)) return libs;
  need('java', ['-version'], 'install a Java 17+ runtime');
  need('mvn', ['-v'], 'install Apache Maven; it downloads the broker from Maven Central');
  log(`resolving Apache Kafka ${KAFKA_VERSION} from Maven Central into ${libs} …`);
  rmSync(libs, { recursive: true, force: true });
  const r = spawnSync(
    'mvn',
    ['-q', '-B', '-f', join(ROOT, 'tools/ops/kafka/pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error('mvn could not resolve the Kafka broker from Maven Central');
  if (!readdirSync(libs).some((f) => f.startsWith('kafka_2.13-'))) throw new Error(`no kafka jar in ${libs}`);
  writeFileSync(marker, KAFKA_VERSION);
  return libs;
}

function writeConfig(home, port) {
  const dataDir = join(home, 'data');
  const controllerPort = port + 1;
  const config = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=3',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'log.retention.hours=168',
  ].join('\n');
  const file = join(home, 'server.properties');
  writeFileSync(file, `${config}\n`);
  return { file, dataDir };
}

function javaArgs(libs, extra) {
  return [
    '-Xms256m',
    '-Xmx768m',
    `-Dlog4j.configuration=file:${join(ROOT, 'tools/ops/kafka/log4j.properties')}`,
    '-cp',
    `${libs}/*`,
    ...extra,
  ];
}

/** Starts the broker unless something already answers on the configured port. */
export async function ensureKafka(env, log) {
  const { host, port } = firstBroker(env.KAFKA_BROKERS);
  if (await portAnswers(host, port)) return { started: false };
  if (!isLocalHost(host)) {
    throw new Error(`Kafka at ${env.KAFKA_BROKERS} does not answer (only a local broker is provisioned automatically)`);
  }
  const home = kafkaHome(env);
  mkdirSync(home, { recursive: true });
  const libs = resolveJars(home, log);
  const { file, dataDir } = writeConfig(home, port);
  if (!existsSync(join(dataDir, 'meta.properties'))) {
    const clusterId = randomBytes(16).toString('base64url');
    const r = spawnSync('java', javaArgs(libs, ['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', file]), {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`formatting Kafka storage failed:\n${r.stderr || r.stdout}`);
  }
  log(`starting a single-node Kafka broker on 127.0.0.1:${port} (data in ${dataDir}, log in ${home}/broker.log)`);
  const out = openSync(join(home, 'broker.log'), 'a');
  const child = spawn('java', javaArgs(libs, ['kafka.Kafka', file]), { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  writeFileSync(join(home, 'broker.pid'), String(child.pid));
  return { started: true };
}

export async function stopKafka(env, log) {
  const pidFile = join(kafkaHome(env), 'broker.pid');
  if (!existsSync(pidFile)) {
    log('no Kafka broker was started by this project');
    return;
  }
  const pid = Number(readFileSync(pidFile, 'utf8'));
  // After a reboot the pid may belong to another process: only stop our broker.
  const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
  if (!cmdline.includes('kafka.Kafka')) {
    log(`pid ${pid} is not this project's Kafka broker (any more); nothing to stop`);
    rmSync(pidFile, { force: true });
    return;
  }
  try {
    process.kill(pid, 'SIGTERM');
    log(`stopping Kafka broker (pid ${pid})`);
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch {
    log('the Kafka broker had already stopped');
  }
  rmSync(pidFile, { force: true });
}
