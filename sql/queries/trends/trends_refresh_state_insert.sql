-- Replace the refresh state, step 2.
INSERT INTO trends_refresh_state (id, treatment_mark, injection_mark, version_mark, treatment_print,
                                  injection_print, refreshed_at, patient_mark, signal_print)
VALUES (1, $treatment_mark, $injection_mark, $version_mark, $treatment_print, $injection_print, $refreshed_at,
        $patient_mark, $signal_print)
