-- Add a patient (pseudonymous reference only).
INSERT INTO patients (patient_ref, birth_year, sex) VALUES ($patient_ref, $birth_year, $sex) RETURNING patient_id
