-- One patient-reported event awaiting a clinician.
INSERT INTO patient_reports (submission_id, treatment_id, question, created_at)
VALUES ($submission_id, $treatment_id, $question, $created_at)
RETURNING report_id
