-- Import step: rows per file and status after classification, plus rows the CSV reader rejected.
SELECT 'treatments' AS file, status, count(*) AS n FROM iw_cls_treatments GROUP BY status
UNION ALL
SELECT 'injections', status, count(*) FROM iw_cls_injections GROUP BY status
UNION ALL
SELECT 'events', status, count(*) FROM iw_cls_events GROUP BY status
UNION ALL
SELECT replace(file, '.csv', ''), 'quarantine', count(*) FROM iw_rejects GROUP BY file
