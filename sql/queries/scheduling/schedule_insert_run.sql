-- Record one run of a backup or export job (the audit row is written in the same transaction).
INSERT INTO scheduled_runs (job, trigger, slot, started_at, finished_at, ok, path, size_bytes, message, actor)
VALUES ($job, $trigger, $slot, $started_at, $finished_at, $ok, $path, $size_bytes, $message, $actor)
