-- Sister City Advisor, PostgreSQL schema 1: everything the file store keeps under DATA_DIR.
-- Times are the ISO 8601 strings the application writes (UTC, "Z"), kept as text so they read
-- back exactly and sort in time order, as they do in the files.

-- Per-user conversation state (conversations.jsonl): one row per user with state.
CREATE TABLE conversations (
  user_key   text PRIMARY KEY,
  updated_at text NOT NULL,
  state      jsonb NOT NULL
);
CREATE INDEX conversations_updated_at ON conversations (updated_at);

-- Helpful / Not helpful clicks (feedback.jsonl), in the order they arrived.
CREATE TABLE feedback (
  seq      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at       text NOT NULL,
  user_key text NOT NULL,
  entry_id text NOT NULL,
  helpful  boolean NOT NULL
);

-- The audit log (audit.jsonl), in order. Never holds the text of a user's message.
CREATE TABLE audit_events (
  seq   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at    text NOT NULL,
  type  text NOT NULL,
  actor text,
  data  jsonb
);
CREATE INDEX audit_events_type ON audit_events (type);

-- Id counters (state.json "counters"): the last number handed out per sequence (TR-2026...).
CREATE TABLE id_sequences (
  name  text PRIMARY KEY,
  value bigint NOT NULL CHECK (value > 0)
);

-- Finished checklists (trips.jsonl), stored once per id.
CREATE TABLE trips (
  id         text PRIMARY KEY,
  seq        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  user_key   text NOT NULL,
  created_at text NOT NULL,
  record     jsonb NOT NULL
);
CREATE INDEX trips_user_key ON trips (user_key, seq);

-- Escalation requests recorded when escalation is off (escalations.jsonl), in order.
CREATE TABLE escalation_requests (
  seq    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id     text NOT NULL,
  at     text NOT NULL,
  record jsonb NOT NULL
);
CREATE INDEX escalation_requests_id ON escalation_requests (id);

-- Scheduled jobs (state.json "jobs"). claimed_by / claimed_until are for a later
-- "SELECT ... WHERE due_at <= $now AND (claimed_until IS NULL OR claimed_until < now())
--  FOR UPDATE SKIP LOCKED" claim by one of several replicas; this version does not set them.
CREATE TABLE scheduled_jobs (
  id            text PRIMARY KEY,
  due_at        text NOT NULL,
  kind          text NOT NULL,
  user_ref      jsonb NOT NULL,
  trip_id       text NOT NULL,
  claimed_by    text,
  claimed_until timestamptz
);
CREATE INDEX scheduled_jobs_due_at ON scheduled_jobs (due_at);

-- Cases for the security contact (cases/active.json and cases/archive/*.jsonl). "body" is the
-- case without its history and outbox, which have their own tables; the columns beside it are
-- the ones queries filter and sort on, copied from the body on every save.
CREATE TABLE cases (
  id         text PRIMARY KEY,
  status     text NOT NULL,
  raised_at  text NOT NULL,
  closed_at  text,
  body       jsonb NOT NULL
);
CREATE INDEX cases_open ON cases (raised_at) WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX cases_closed_at ON cases (closed_at) WHERE closed_at IS NOT NULL;

-- A case's history, one row per event, in order.
CREATE TABLE case_events (
  case_id  text NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  position integer NOT NULL,
  event    jsonb NOT NULL,
  PRIMARY KEY (case_id, position)
);

-- The outbox: messages a case must deliver, saved in the same transaction as the case. One row
-- per message, so a later sender can claim due rows with
-- "WHERE status = 'pending' AND next_attempt_at <= $now FOR UPDATE SKIP LOCKED".
CREATE TABLE case_outbox (
  case_id         text NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  id              text NOT NULL,
  position        integer NOT NULL,
  status          text NOT NULL,
  attempts        integer NOT NULL,
  next_attempt_at text NOT NULL,
  body            jsonb NOT NULL,
  PRIMARY KEY (case_id, id)
);
CREATE INDEX case_outbox_pending ON case_outbox (next_attempt_at) WHERE status = 'pending';
