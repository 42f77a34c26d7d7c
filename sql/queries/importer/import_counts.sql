-- Import step: rows per file and status after classification; rejected rows (the reader's too) by whether an
-- earlier import already quarantined them ('known', with those imports) or this one does ('quarantine').
SELECT 'treatments' AS file, status, count(*) AS n, [] AS imports FROM iw_cls_treatments
WHERE status <> 'quarantine' GROUP BY status
UNION ALL
SELECT 'injections', status, count(*), [] FROM iw_cls_injections WHERE status <> 'quarantine' GROUP BY status
UNION ALL
SELECT 'events', status, count(*), [] FROM iw_cls_events WHERE status <> 'quarantine' GROUP BY status
UNION ALL
SELECT replace(file, '.csv', ''), CASE WHEN known_import IS NULL THEN 'quarantine' ELSE 'known' END, count(*),
    list(DISTINCT known_import ORDER BY known_import) FILTER (WHERE known_import IS NOT NULL)
FROM iw_quarantine GROUP BY ALL
