-- A cheap fingerprint of the data the signals depend on (changes when treatments or events change).
SELECT (SELECT count(*) FROM treatments) AS treatments, (SELECT coalesce(max(treatment_id), 0) FROM treatments) AS max_t,
       (SELECT count(*) FROM event_versions) AS versions, (SELECT coalesce(max(version_id), 0) FROM event_versions) AS max_v,
       (SELECT CAST(min(treated_at) AS DATE) FROM treatments) AS first_day,
       (SELECT CAST(max(treated_at) AS DATE) FROM treatments) AS last_day
