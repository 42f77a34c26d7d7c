-- Past imports, newest first: when, what source, who, and the row totals; all of them or only $import_id
-- (NULL = all), the first $limit (NULL = no limit).
SELECT import_id, started_at, finished_at, source, actor, rows_read, imported, quarantined, unchanged, summary
FROM imports
WHERE $import_id IS NULL OR import_id = $import_id
ORDER BY import_id DESC
LIMIT $limit
