-- Import step: gather every rejected events.csv row (line, raw cell values, reasons) for the quarantine.
INSERT INTO iw_quarantine (file, line, raw, reasons, messages)
SELECT 'events.csv', c.line,
    CAST(to_json({'event_id': r.event_id, 'treatment_id': r.treatment_id, 'term': r.term, 'onset_at': r.onset_at, 'severity': r.severity, 'serious': r.serious, 'seriousness': r.seriousness, 'outcome': r.outcome, 'resolved_at': r.resolved_at, 'side': r.side, 'area': r.area, 'causality': r.causality, 'action_taken': r.action_taken, 'reported_by': r.reported_by, 'reported_at': r.reported_at, 'narrative': r.narrative}) AS VARCHAR),
    c.q_reasons, c.q_messages
FROM iw_cls_events c
JOIN iw_raw_events r ON r.rowid = c.rid
WHERE c.status = 'quarantine'
