-- event_versions.csv, de-identified: as export_event_versions without free text (change_note, action_taken,
-- narrative) and the reporter.
SELECT e.event_ref AS event_id, v.version, v.changed_at, v.changed_by,
       v.term,
       CASE WHEN v.onset_at < t.treated_at THEN strftime(v.onset_at, '%Y-%m-%d')  -- a date alone, as in events.csv
            ELSE strftime(v.onset_at, '%Y-%m-%dT%H:%M:%S') END AS onset_at,
       v.severity, v.serious, v.seriousness, v.outcome, v.resolved_at, v.side, v.area,
       v.causality, v.reported_at
FROM events_current e
JOIN event_versions v ON v.event_id = e.event_id
JOIN treatments t ON t.treatment_id = e.treatment_id
JOIN clinics c ON c.clinic_id = e.clinic_id
WHERE e.onset_at >= $start AND e.onset_at < $end
ORDER BY e.onset_at, c.name, e.event_ref, v.version
