-- Import step: one audit-trail row per event follow-up (which event, which version, what changed).
INSERT INTO audit_log (occurred_at, actor, action, entity, entity_id, detail)
SELECT $created_at, $actor, 'event.follow_up', 'event', CAST(n.db_event_id AS VARCHAR),
    CAST(json_object('import_id', $import_id, 'event_ref', n.v_ref, 'line', n.line,
                     'version', n.db_version + 1, 'changed', n.differs) AS VARCHAR)
FROM iw_cls_events n
WHERE n.status = 'followup'
