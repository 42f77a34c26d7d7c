-- Import step: keep every line the CSV reader could not split into the header's columns (or decode as UTF-8).
INSERT INTO iw_quarantine (file, line, raw, reasons, messages)
SELECT file, line, raw, 'malformed_row', message
FROM iw_rejects
