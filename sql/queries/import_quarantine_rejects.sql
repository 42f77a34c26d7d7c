-- Import step: keep every line the CSV reader could not split into the header's columns (or decode as UTF-8).
INSERT INTO quarantine (import_id, file, line, raw, reasons, messages)
SELECT $import_id, file, line, raw, 'malformed_row', message
FROM iw_rejects
