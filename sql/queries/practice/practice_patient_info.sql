-- One patient's stored details (birth year, sex) by pseudonymous reference.
SELECT patient_id, patient_ref, birth_year, sex FROM patients WHERE patient_ref = $patient_ref
