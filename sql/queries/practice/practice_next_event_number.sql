-- The next running number for app-entered event refs 'E-YYYYMMDD-NNNN' in one clinic and day.
SELECT coalesce(max(TRY_CAST(substr(event_ref, length($prefix) + 1) AS INTEGER)), 0) + 1
FROM events
WHERE clinic_id = $clinic_id AND starts_with(event_ref, $prefix)
