-- Outbox and inbox: the two tables every event-producing / event-consuming service needs.
CREATE TABLE "outbox_events" (
  "id" BIGSERIAL PRIMARY KEY,
  "event_id" UUID NOT NULL,
  "topic" VARCHAR(100) NOT NULL,
  "message_key" VARCHAR(100) NOT NULL,
  "type" VARCHAR(64) NOT NULL,
  "envelope" JSONB NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "published_at" TIMESTAMPTZ(3),
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "last_error" TEXT
);
CREATE UNIQUE INDEX "outbox_events_event_id_key" ON "outbox_events" ("event_id");
-- The relay's scan touches only unpublished rows.
CREATE INDEX "outbox_events_unpublished_idx" ON "outbox_events" ("id") WHERE "published_at" IS NULL;

CREATE TABLE "inbox_events" (
  "consumer" VARCHAR(100) NOT NULL,
  "event_id" UUID NOT NULL,
  "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY ("consumer", "event_id")
);
