-- How many audit-trail rows match the filters (same filters as audit_entries).
SELECT count(*)
FROM audit_log
WHERE (CAST($actor AS VARCHAR) IS NULL OR actor = $actor)
  AND (len(CAST($actions AS VARCHAR[])) = 0 OR list_contains(CAST($actions AS VARCHAR[]), action))
  AND (CAST($date_from AS TIMESTAMP) IS NULL OR occurred_at >= $date_from)
  AND (CAST($date_to AS TIMESTAMP) IS NULL OR occurred_at < $date_to)
