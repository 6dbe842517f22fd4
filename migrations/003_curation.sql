-- Sister City Advisor, PostgreSQL schema 2: the curator's loop (src/curation).

-- Questions the bot could not answer (unanswered.jsonl), kept only when RECORD_UNANSWERED is on,
-- redacted before they are stored, with no user id, and purged after UNANSWERED_RETENTION_DAYS.
CREATE TABLE unanswered_questions (
  seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at               text NOT NULL,
  outcome          text NOT NULL CHECK (outcome IN ('no-guidance', 'declined')),
  text             text NOT NULL,
  declined_kind    text,
  closest_entry_id text,
  closest_score    double precision
);
CREATE INDEX unanswered_questions_at ON unanswered_questions (at);

-- Work done once (once.jsonl), such as one curator's weekly digest: the primary key makes the
-- first INSERT win, in whichever process or replica it runs.
CREATE TABLE once_keys (
  key text PRIMARY KEY,
  at  text NOT NULL
);
