-- Import step: create the patients of new treatments (accepted rows of one patient agree on birth year and sex).
INSERT INTO patients (patient_ref, birth_year, sex)
SELECT n.v_patient_ref, max(n.v_birth_year), max(n.v_sex)
FROM iw_cls_treatments n
WHERE n.status = 'new' AND NOT EXISTS (SELECT 1 FROM patients p WHERE p.patient_ref = n.v_patient_ref)
GROUP BY n.v_patient_ref
ORDER BY n.v_patient_ref  -- in key order: the unique index is built far faster than from random order
