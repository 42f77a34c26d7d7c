-- Quarantined rows of one import ($import_id), or of every import when it is NULL; newest import first;
-- the first $limit rows (all when NULL).
SELECT q.import_id, i.started_at AS imported_at, i.source, q.file, q.line, q.reasons, q.messages, q.raw
FROM quarantine q
JOIN imports i ON i.import_id = q.import_id
WHERE $import_id IS NULL OR q.import_id = $import_id
ORDER BY q.import_id DESC, q.file, q.line
LIMIT $limit
