-- What the export of the quarter [$start, $end) will hold: rows per file, before anything is written.
WITH ev AS (
    SELECT event_id, treatment_id FROM events_current WHERE onset_at >= $start AND onset_at < $end
), tr AS (
    SELECT treatment_id FROM treatments WHERE treated_at >= $start AND treated_at < $end
    UNION
    SELECT treatment_id FROM ev
)
SELECT
    (SELECT count(*) FROM tr) AS treatments,
    (SELECT count(*) FROM tr JOIN treatments t ON t.treatment_id = tr.treatment_id
      WHERE t.treated_at < $start) AS treatments_from_earlier_quarters,
    (SELECT count(*) FROM tr JOIN injections j ON j.treatment_id = tr.treatment_id) AS injections,
    (SELECT count(*) FROM ev) AS events,
    (SELECT count(*) FROM ev JOIN event_versions v ON v.event_id = ev.event_id) AS event_versions
