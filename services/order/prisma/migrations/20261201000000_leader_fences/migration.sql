-- Fencing tokens of leader-elected jobs (the order timeout job). A new leader advances `epoch`;
-- every write of the job checks, in its own transaction and under a share lock of this row, that
-- the epoch is still the one it was elected with — so a paused old leader cannot write after a
-- new one took over (the advance waits for the old leader's in-flight transactions, and every
-- transaction after it sees the new epoch).
CREATE TABLE "leader_fences" (
  "name" VARCHAR(64) PRIMARY KEY,
  "epoch" BIGINT NOT NULL,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
