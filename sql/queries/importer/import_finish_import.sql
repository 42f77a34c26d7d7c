-- Import step: record the totals and the summary sentence on the imports row.
UPDATE imports
SET finished_at = $finished_at, rows_read = $rows_read, imported = $imported, quarantined = $quarantined,
    unchanged = $unchanged, summary = $summary
WHERE import_id = $import_id
