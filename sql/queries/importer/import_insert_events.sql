-- Import step: create the event identities of new events with the ids drawn during classification
-- (their first version follows).
INSERT INTO events (event_id, clinic_id, event_ref, treatment_id, created_at)
SELECT n.new_event_id, c.clinic_id, n.v_ref, coalesce(n.db_treatment_id, n.parent_new_id), $created_at
FROM iw_cls_events n
JOIN clinics c ON c.name = n.parent_clinic
WHERE n.status = 'new'
ORDER BY n.new_event_id  -- drawn in (clinic, event_id) order: the indexes are appended in key order
