-- Sister City Advisor, PostgreSQL schema 2: what several replicas on one database share.

-- Outbox claims: a replica takes due rows with "FOR UPDATE SKIP LOCKED" and marks them with its
-- id and a lease; a row whose lease ran out (its replica died) is taken again. Recording an
-- attempt (a save that changes the row) clears the claim.
ALTER TABLE case_outbox ADD COLUMN claimed_by text, ADD COLUMN claimed_until timestamptz;

-- Scheduled jobs are claimed the same way (their claim columns came with schema 1).
CREATE INDEX scheduled_jobs_claimed_by ON scheduled_jobs (claimed_by) WHERE claimed_by IS NOT NULL;
CREATE INDEX case_outbox_claimed_by ON case_outbox (claimed_by) WHERE claimed_by IS NOT NULL;

-- Platform event ids already handled (a Slack retry may land on another replica). Purged by age.
CREATE TABLE seen_events (
  key     text PRIMARY KEY,
  seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX seen_events_seen_at ON seen_events (seen_at);

-- The web chat's inbox: the recent messages the core sent to each web user, so a page connected
-- to any replica gets them (a NOTIFY on channel "web_inbox" names the user). "id" is the
-- Last-Event-ID a page resumes from, unique across replicas. "delivery_key" is the stable key of
-- an outbox message or job, so a message delivered twice is stored (and shown) once.
CREATE TABLE web_inbox (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      text NOT NULL,
  reply        jsonb NOT NULL,
  replaces     bigint,
  seen         boolean NOT NULL DEFAULT false,
  delivery_key text UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX web_inbox_user ON web_inbox (user_id, id);
