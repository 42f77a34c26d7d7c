-- Import step: keep every rejected injections.csv row in the quarantine with its line, raw values and reasons.
INSERT INTO quarantine (import_id, file, line, raw, reasons, messages)
SELECT $import_id, 'injections.csv', line, q_raw, q_reasons, q_messages
FROM iw_cls_injections
WHERE status = 'quarantine'
