-- Clinic overview headline: treatments, events (current versions), serious events, open cases.
SELECT
    (SELECT count(*) FROM treatments) AS treatments,
    (SELECT count(*) FROM events_current) AS events,
    (SELECT count(*) FROM events_current WHERE serious) AS serious_events,
    (SELECT count(*) FROM events_current
      WHERE outcome IN ('recovering', 'not_recovered', 'unknown') AND resolved_at IS NULL) AS open_cases,
    (SELECT min(treated_at) FROM treatments) AS first_treatment,
    (SELECT max(treated_at) FROM treatments) AS last_treatment
