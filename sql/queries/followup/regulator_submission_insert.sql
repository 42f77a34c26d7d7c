-- Record that a case was reported to a regulator.
INSERT INTO regulator_submissions (event_id, scheme, reference, submitted_on, recorded_at, recorded_by)
VALUES ($event_id, $scheme, $reference, $submitted_on, $recorded_at, $recorded_by)
RETURNING submission_id
