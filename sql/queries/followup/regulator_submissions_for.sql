-- The regulator submissions recorded on a case, newest first.
SELECT submission_id, scheme, reference, submitted_on, recorded_at, recorded_by
FROM regulator_submissions WHERE event_id = $event_id ORDER BY submitted_on DESC, submission_id DESC
