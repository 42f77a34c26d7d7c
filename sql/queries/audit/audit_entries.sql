-- Audit-trail rows matching the filters (each filter is off when its parameter is NULL or empty), newest first.
SELECT audit_id, occurred_at, actor, action, entity, entity_id, detail
FROM audit_log
WHERE (CAST($actor AS VARCHAR) IS NULL OR actor = $actor)
  AND (len(CAST($actions AS VARCHAR[])) = 0 OR list_contains(CAST($actions AS VARCHAR[]), action))
  AND (CAST($date_from AS TIMESTAMP) IS NULL OR occurred_at >= $date_from)
  AND (CAST($date_to AS TIMESTAMP) IS NULL OR occurred_at < $date_to)
ORDER BY audit_id DESC
LIMIT $limit
