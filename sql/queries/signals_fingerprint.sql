-- Fingerprint of what the signal rows read besides the trends fingerprint (trends_fingerprint.sql): each
-- treatment's patient and risk factors, each injection's points and volume, the patients at or below the patient
-- mark, the reference data (its file hash) and the DuckDB version (the cell id is a DuckDB hash). Any change in
-- the records at or below the marks forces a full rebuild.
SELECT concat_ws('|',
    (SELECT CAST(coalesce(sum(hash(treatment_id, patient_id, alcohol_48h, anticoagulant, interacting_medication,
                                   prior_toxin_90d, allergy_history, allergy_test_done, neuromuscular_disorder,
                                   pregnant_or_breastfeeding, skin_infection_at_site, aftercare_lay_down_4h,
                                   aftercare_heat_or_exercise)), 0) AS VARCHAR)
       FROM treatments WHERE treatment_id <= $treatment_mark),
    (SELECT CAST(coalesce(sum(hash(injection_id, points, volume_ml)), 0) AS VARCHAR)
       FROM injections WHERE injection_id <= $injection_mark),
    (SELECT CAST(coalesce(sum(hash(patient_id, birth_year, sex)), 0) AS VARCHAR)
       FROM patients WHERE patient_id <= $patient_mark),
    coalesce((SELECT value FROM settings WHERE key = 'reference_hash'), ''),
    (SELECT version())) AS signal_print
