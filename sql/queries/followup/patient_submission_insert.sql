-- The patient's answers as sent.
INSERT INTO patient_submissions (link_id, treatment_id, submitted_at, onset_date, answers, free_text, red_flag,
                                 form_nonce)
VALUES ($link_id, $treatment_id, $submitted_at, $onset_date, $answers, $free_text, $red_flag, $form_nonce)
RETURNING submission_id
