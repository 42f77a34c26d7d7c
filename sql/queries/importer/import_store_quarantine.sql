-- Import step: store the rejected rows of this import that no earlier import has quarantined already.
INSERT INTO quarantine (import_id, file, line, raw, reasons, messages)
SELECT $import_id, file, line, raw, reasons, messages
FROM iw_quarantine
WHERE known_import IS NULL
ORDER BY file, line
