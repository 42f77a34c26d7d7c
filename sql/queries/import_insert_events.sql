-- Import step: create the event identities of new events (their first version follows).
INSERT INTO events (clinic_id, event_ref, treatment_id, created_at)
SELECT c.clinic_id, n.v_ref, t.treatment_id, $created_at
FROM iw_cls_events n
JOIN clinics c ON c.name = n.parent_clinic
JOIN treatments t ON t.clinic_id = c.clinic_id AND t.treatment_ref = n.v_treatment_ref
WHERE n.status = 'new'
