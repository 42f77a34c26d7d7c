-- Import step: gather every rejected injections.csv row (line, raw cell values, reasons) for the quarantine.
INSERT INTO iw_quarantine (file, line, raw, reasons, messages)
SELECT 'injections.csv', c.line,
    CAST(to_json({'treatment_id': r.treatment_id, 'area': r.area, 'side': r.side, 'point': r.point, 'units': r.units, 'points': r.points, 'volume_ml': r.volume_ml, 'depth': r.depth}) AS VARCHAR),
    c.q_reasons, c.q_messages
FROM iw_cls_injections c
JOIN iw_raw_injections r ON r.rowid = c.rid
WHERE c.status = 'quarantine'
