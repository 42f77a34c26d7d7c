-- Clinic overview headline for what this user may see: treatments, events (current versions), serious events,
-- open cases (outcome not yet recovered, recovered with sequelae or fatal, as on the Cases page).
WITH t AS (
    SELECT t.treatment_id, t.treated_at
    FROM treatments t JOIN injectors i ON i.injector_id = t.injector_id
    WHERE $see_all OR t.created_by = $username OR i.name = $injector
), e AS (
    SELECT e.serious, e.outcome
    FROM events_current e
    WHERE $see_all OR e.treatment_id IN (SELECT treatment_id FROM t)
       OR e.event_id IN (SELECT event_id FROM event_versions WHERE version = 1 AND changed_by = $username)
)
SELECT
    (SELECT count(*) FROM t) AS treatments,
    (SELECT count(*) FROM e) AS events,
    (SELECT count(*) FROM e WHERE serious) AS serious_events,
    (SELECT count(*) FROM e WHERE outcome IN ('recovering', 'not_recovered', 'unknown')) AS open_cases,
    (SELECT min(treated_at) FROM t) AS first_treatment,
    (SELECT max(treated_at) FROM t) AS last_treatment
