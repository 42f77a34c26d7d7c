-- A form already sent (the same page cannot send twice).
SELECT submission_id FROM patient_submissions WHERE form_nonce = $form_nonce
