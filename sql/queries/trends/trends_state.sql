-- The stored refresh state (no row before the first refresh; patient_mark and signal_print NULL when it was
-- written before the signal rows existed).
SELECT treatment_mark, injection_mark, version_mark, treatment_print, injection_print, refreshed_at, patient_mark,
       signal_print
FROM trends_refresh_state WHERE id = 1
