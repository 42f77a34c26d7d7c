-- events.csv, identified: the latest version of every event whose onset is in the quarter [$start, $end)
-- (interchange-v1 section 1.3), with the free text and the reporter.
SELECT e.event_ref AS event_id, t.treatment_ref AS treatment_id, e.term,
       -- an onset before its treatment's time can only have been given as the date alone (that day): written so,
       -- it imports again (a time would make it onset_before_treatment)
       CASE WHEN e.onset_at < t.treated_at THEN strftime(e.onset_at, '%Y-%m-%d')
            ELSE strftime(e.onset_at, '%Y-%m-%dT%H:%M:%S') END AS onset_at,
       e.severity, e.serious,
       e.seriousness, e.outcome, e.resolved_at, e.side, e.area, e.causality, e.action_taken, e.reported_by,
       e.reported_at, e.narrative
FROM events_current e
JOIN treatments t ON t.treatment_id = e.treatment_id
JOIN clinics c ON c.clinic_id = e.clinic_id
WHERE e.onset_at >= $start AND e.onset_at < $end
ORDER BY e.onset_at, c.name, e.event_ref
