-- 010_scheduled_runs: every backup and quarterly export the app runs itself (nightly schedule, quarterly schedule,
-- or "Back up now"), successful or not. The scheduler reads the latest scheduled slot of each job to know whether a
-- run is due (also one missed while the app was down); the Accounts page and the Clinic overview read the latest
-- backup for its status. The schedule's settings are rows of the settings table (keys 'schedule.*').
CREATE SEQUENCE seq_scheduled_run START 1;

CREATE TABLE scheduled_runs (
    run_id      BIGINT PRIMARY KEY DEFAULT nextval('seq_scheduled_run'),
    job         VARCHAR NOT NULL CHECK (job IN ('backup', 'export')),
    trigger     VARCHAR NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    slot        TIMESTAMP,                 -- the scheduled time the run served; NULL for a manual run
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    ok          BOOLEAN NOT NULL,
    path        VARCHAR,                   -- the backup folder or the export zip written (or attempted)
    size_bytes  BIGINT CHECK (size_bytes >= 0),
    message     VARCHAR NOT NULL,          -- what was written, or why it failed, in plain words
    actor       VARCHAR NOT NULL,
    CHECK (finished_at >= started_at),
    CHECK ((trigger = 'schedule') = (slot IS NOT NULL)),
    CHECK (ok OR size_bytes IS NULL)
);
