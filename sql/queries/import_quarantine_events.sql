-- Import step: keep every rejected events.csv row in the quarantine with its line, raw values and reasons.
INSERT INTO quarantine (import_id, file, line, raw, reasons, messages)
SELECT $import_id, 'events.csv', line, q_raw, q_reasons, q_messages
FROM iw_cls_events
WHERE status = 'quarantine'
