-- The latest runs of every job, newest first (Accounts page).
SELECT job, trigger, slot, started_at, finished_at, ok, path, size_bytes, message, actor
FROM scheduled_runs
ORDER BY run_id DESC
LIMIT $limit
