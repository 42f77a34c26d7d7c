-- Order-independent fingerprints of the treatments and injections at or below the given marks, plus
-- the count of injection rows added later to an older treatment (any change there forces a full rebuild).
SELECT
    (SELECT CAST(coalesce(sum(hash(treatment_id, clinic_id, injector_id, product, lot_id, treated_at)), 0) AS VARCHAR)
       FROM treatments WHERE treatment_id <= $treatment_mark) AS treatment_print,
    (SELECT CAST(coalesce(sum(hash(injection_id, treatment_id, area, units)), 0) AS VARCHAR)
       FROM injections WHERE injection_id <= $injection_mark) AS injection_print,
    (SELECT count(*) FROM injections
      WHERE injection_id > $injection_mark AND treatment_id <= $treatment_mark) AS late_injections
