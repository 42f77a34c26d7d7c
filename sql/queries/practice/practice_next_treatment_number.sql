-- The next running number for app-entered treatment refs 'T-YYYYMMDD-NNNN' in one clinic and day.
SELECT coalesce(max(TRY_CAST(substr(treatment_ref, length($prefix) + 1) AS INTEGER)), 0) + 1
FROM treatments
WHERE clinic_id = $clinic_id AND starts_with(treatment_ref, $prefix)
