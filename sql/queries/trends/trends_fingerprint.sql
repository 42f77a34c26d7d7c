-- Order-independent fingerprints of the treatments and injections at or below the given marks, plus
-- the count of injection rows added later to an older treatment (any change there forces a full rebuild), and the
-- fingerprint of what else the signal rows read: each treatment's patient and risk factors, each injection's points
-- and volume, the patients at or below the patient mark, the reference data (its file hash) and the DuckDB version
-- (the cell id is a DuckDB hash). One scan of each table for both.
WITH t AS (
    SELECT sum(hash(treatment_id, clinic_id, injector_id, product, lot_id, treated_at)) AS print,
           sum(hash(treatment_id, patient_id, alcohol_48h, anticoagulant, interacting_medication, prior_toxin_90d,
                    allergy_history, allergy_test_done, neuromuscular_disorder, pregnant_or_breastfeeding,
                    skin_infection_at_site, aftercare_lay_down_4h, aftercare_heat_or_exercise)) AS signal_print
    FROM treatments WHERE treatment_id <= $treatment_mark
), i AS (
    SELECT sum(hash(injection_id, treatment_id, area, units)) AS print,
           sum(hash(injection_id, points, volume_ml)) AS signal_print
    FROM injections WHERE injection_id <= $injection_mark
)
SELECT
    CAST(coalesce(t.print, 0) AS VARCHAR) AS treatment_print,
    CAST(coalesce(i.print, 0) AS VARCHAR) AS injection_print,
    (SELECT count(*) FROM injections
      WHERE injection_id > $injection_mark AND treatment_id <= $treatment_mark) AS late_injections,
    concat_ws('|',
        CAST(coalesce(t.signal_print, 0) AS VARCHAR),
        CAST(coalesce(i.signal_print, 0) AS VARCHAR),
        (SELECT CAST(coalesce(sum(hash(patient_id, birth_year, sex)), 0) AS VARCHAR)
           FROM patients WHERE patient_id <= $patient_mark),
        coalesce((SELECT value FROM settings WHERE key = 'reference_hash'), ''),
        (SELECT version())) AS signal_print
FROM t, i
