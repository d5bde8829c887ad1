import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { ALL_TOPICS, dlqTopic } from '../events';

/**
 * A private set of the SPEC §8 topics (and their dead-letter topics) for one test system: every
 * name carries `prefix` (the services' KAFKA_TOPIC_PREFIX), so test files sharing one broker never
 * consume each other's events or split each other's consumer groups.
 */
export async function createTestTopics(
  brokers: string,
  prefix = `t${randomBytes(4).toString('hex')}.`,
): Promise<{
  prefix: string;
  drop: () => Promise<void>;
}> {
  const kafka = new Kafka({ clientId: 'test-topics', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const names = [
    ...ALL_TOPICS.map((t) => ({ topic: `${prefix}${t}`, numPartitions: 3 })),
    ...ALL_TOPICS.map((t) => ({ topic: `${prefix}${dlqTopic(t)}`, numPartitions: 1 })),
  ];
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: names.map((n) => ({ ...n, replicationFactor: 1 })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const drop = async (): Promise<void> => {
    const a = kafka.admin();
    await a.connect();
    try {
      await a.deleteTopics({ topics: names.map((n) => n.topic), timeout: 10000 });
    } catch {
      // Best effort: a leftover test topic costs disk, not correctness.
    } finally {
      await a.disconnect();
    }
  };
  return { prefix, drop };
}
