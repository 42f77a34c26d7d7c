-- Create the event header (its content lives in event_versions).
INSERT INTO events (clinic_id, event_ref, treatment_id, created_at)
VALUES ($clinic_id, $event_ref, $treatment_id, $created_at)
RETURNING event_id
