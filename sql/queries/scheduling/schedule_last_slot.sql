-- The latest scheduled time a job has served (successful or not); NULL when the schedule never ran it.
SELECT max(slot) FROM scheduled_runs WHERE job = $job AND trigger = 'schedule'
