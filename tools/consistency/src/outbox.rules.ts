/** SPEC §10.5: every committed outbox row is published once Kafka is reachable. */
import type { Findings } from './report';
import { DATABASES, type DatabaseName, type Db, type Snapshot } from './snapshot';

/** How many of the oldest stale rows a violation names; the count says how many there are. */
const SHOWN = 20;

export async function checkOutboxes(snapshot: Snapshot, maxAgeSeconds: number, findings: Findings): Promise<void> {
  for (const name of DATABASES) {
    await checkOutbox(name, snapshot.db[name], maxAgeSeconds, findings);
  }
}

async function checkOutbox(name: DatabaseName, db: Db, maxAgeSeconds: number, findings: Findings): Promise<void> {
  // now() is the snapshot transaction's start: "older than" is measured on the database's own clock.
  const stale = `published_at IS NULL AND created_at < now() - make_interval(secs => $1)`;
  const { rows: counts } = await db.query<{ total: number; stale: number }>(
    `SELECT count(*)::int AS total, (count(*) FILTER (WHERE ${stale}))::int AS stale FROM outbox_events`,
    [maxAgeSeconds],
  );
  findings.count('outboxRows', counts[0].total);
  if (counts[0].stale === 0) {
    return;
  }
  const { rows } = await db.query<{ id: string; type: string; topic: string; created_at: Date }>(
    `SELECT id, type, topic, created_at FROM outbox_events WHERE ${stale} ORDER BY id LIMIT ${SHOWN}`,
    [maxAgeSeconds],
  );
  const oldest = rows.map((r) => `#${r.id} ${r.type} → ${r.topic} (${r.created_at.toISOString()})`).join(', ');
  findings.add('outbox.stale', `${name}: ${counts[0].stale} outbox rows unpublished for more than ${maxAgeSeconds} s; oldest: ${oldest}`, {
    database: name,
    count: counts[0].stale,
    oldestIds: rows.map((r) => r.id).join(','),
  });
}
