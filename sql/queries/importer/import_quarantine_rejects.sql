-- Import step: keep every line the CSV reader could not split into the header's columns, or could not take whole.
INSERT INTO iw_quarantine (file, line, raw, reasons, messages)
SELECT file, line, raw, reason, message
FROM iw_rejects
