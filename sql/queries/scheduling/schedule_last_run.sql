-- The latest run of a job (scheduled or manual), for the "last backup" status.
SELECT job, trigger, slot, started_at, finished_at, ok, path, size_bytes, message, actor
FROM scheduled_runs
WHERE job = $job
ORDER BY run_id DESC
LIMIT 1
