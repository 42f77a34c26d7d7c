-- Current high-water marks of the source tables (what a refresh would build up to).
SELECT (SELECT coalesce(max(treatment_id), 0) FROM treatments) AS treatment_mark,
       (SELECT coalesce(max(injection_id), 0) FROM injections) AS injection_mark,
       (SELECT coalesce(max(version_id), 0) FROM event_versions) AS version_mark,
       (SELECT coalesce(max(patient_id), 0) FROM patients) AS patient_mark
