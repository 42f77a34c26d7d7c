-- Import step: version 1 of every new event, and version n+1 of every follow-up (earlier versions stay).
-- reported_at defaults to the import time for a new event and to the stored value for a follow-up.
INSERT INTO event_versions (event_id, version, term, onset_at, severity, serious, seriousness, outcome, resolved_at,
    side, area, causality, action_taken, reported_by, reported_at, narrative, changed_at, changed_by, change_note,
    import_id)
SELECT coalesce(n.db_event_id, n.new_event_id), coalesce(n.db_version, 0) + 1, n.v_term, n.v_onset_at, n.v_severity, n.v_serious,
    n.v_seriousness, n.v_outcome, n.v_resolved_at, n.v_side, n.v_area, n.v_causality, n.v_action_taken,
    n.v_reported_by, coalesce(n.v_reported_at, n.db_reported_at, CAST($now AS TIMESTAMP)), n.v_narrative,
    $created_at, $actor,
    CASE WHEN n.status = 'followup' THEN 'follow-up from import ' || $import_id || ': '
         || n.differs || ' changed' END,
    $import_id
FROM iw_cls_events n
WHERE n.status IN ('new', 'followup')
ORDER BY 1, 2  -- in (event, version) key order
