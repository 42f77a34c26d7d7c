-- Import step: keep every rejected injections.csv row in the quarantine with its line, raw cell values and reasons.
INSERT INTO quarantine (import_id, file, line, raw, reasons, messages)
SELECT $import_id, 'injections.csv', c.line,
    CAST(to_json({'treatment_id': r.treatment_id, 'area': r.area, 'side': r.side, 'point': r.point, 'units': r.units, 'points': r.points, 'volume_ml': r.volume_ml, 'depth': r.depth}) AS VARCHAR),
    c.q_reasons, c.q_messages
FROM iw_cls_injections c
JOIN iw_raw_injections r ON r.rowid = c.rid
WHERE c.status = 'quarantine'
ORDER BY c.line
