-- injections.csv: every treated area / injection point of the treatments in treatments.csv
-- (interchange-v1 section 1.2), ordered by treatment, then by content (area, side, point, ...) so that the same
-- data always gives the same file, whatever order it was recorded or imported in.
WITH ev AS (
    SELECT treatment_id FROM events_current WHERE onset_at >= $start AND onset_at < $end
), tr AS (
    SELECT treatment_id FROM treatments WHERE treated_at >= $start AND treated_at < $end
    UNION
    SELECT treatment_id FROM ev
)
SELECT t.treatment_ref AS treatment_id, j.area, j.side, j.point, j.units, j.points, j.volume_ml, j.depth
FROM tr
JOIN treatments t ON t.treatment_id = tr.treatment_id
JOIN clinics c ON c.clinic_id = t.clinic_id
JOIN injections j ON j.treatment_id = t.treatment_id
ORDER BY t.treated_at, c.name, t.treatment_ref, j.area, j.side, j.point NULLS FIRST, j.units, j.points,
         j.volume_ml, j.depth, j.injection_id
