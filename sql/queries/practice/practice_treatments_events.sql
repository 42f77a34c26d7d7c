-- The adverse events that followed several treatments, with their current term, grade and outcome.
SELECT e.treatment_id, e.event_ref, e.term, rt.plain_name, e.onset_at, e.severity, e.outcome, e.area
FROM events_current e
JOIN ref_terms rt ON rt.code = e.term
WHERE list_contains($treatment_ids, e.treatment_id)
ORDER BY e.treatment_id, e.onset_at
