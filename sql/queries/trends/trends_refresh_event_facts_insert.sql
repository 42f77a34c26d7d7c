-- Insert the facts of events that gained a version above the old mark, from their latest version.
-- Area rule: the event's own area when recorded, else every area treated in its treatment. (DISTINCT collapses
-- the per-area rows of events that name their own area; an equality-only join keeps it a hash join.)
INSERT INTO trends_event_facts (event_id, version_id, day, clinic_id, injector_id, product, lot_id, term, body_region,
                                severity, serious, is_open, area)
SELECT DISTINCT e.event_id, vv.version_id, CAST(t.treated_at AS DATE), t.clinic_id, t.injector_id, t.product, t.lot_id, e.term,
       r.body_region, e.severity, e.serious,
       e.outcome IN ('recovering', 'not_recovered', 'unknown'),  -- open as on the Cases page
       coalesce(e.area, ta.area)
FROM events_current e
JOIN event_versions vv ON vv.event_id = e.event_id AND vv.version = e.version
JOIN treatments t ON t.treatment_id = e.treatment_id
JOIN ref_terms r ON r.code = e.term
LEFT JOIN (
    SELECT DISTINCT j.treatment_id, j.area
    FROM injections j
    WHERE j.treatment_id IN (SELECT ev.treatment_id FROM events ev
                              WHERE ev.event_id IN (SELECT event_id FROM event_versions
                                                     WHERE version_id > $old_mark AND version_id <= $new_mark))
) ta ON ta.treatment_id = e.treatment_id
WHERE e.event_id IN (SELECT event_id FROM event_versions WHERE version_id > $old_mark AND version_id <= $new_mark)
