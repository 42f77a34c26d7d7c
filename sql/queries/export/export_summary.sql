-- summary.csv: events and treatments by clinic x injector x area x term for the quarter [$start, $end).
-- events: events of this bundle (onset in the quarter, latest version) of that term, counted against the clinic and
--   injector of their treatment and against the area the reporter named; when none was named and the treatment
--   treated a single area, that area; otherwise the area is left empty ("not stated").
-- treatments: treatments given IN the quarter by that injector at that clinic that treated that area (each counted
--   once per area); for the empty area, all the injector's treatments at that clinic in the quarter.
-- rate_per_1000 = 1000 * events / treatments (empty when there were no treatments in the quarter).
-- A clinic x injector x area that was treated but had no event gets one row with an empty term and 0 events.
WITH tq AS (
    SELECT treatment_id, clinic_id, injector_id FROM treatments WHERE treated_at >= $start AND treated_at < $end
), eq AS (
    SELECT treatment_id, area, term, serious FROM events_current WHERE onset_at >= $start AND onset_at < $end
), single_area AS (  -- the area of each event's treatment, when it treated exactly one
    SELECT j.treatment_id, min(j.area) AS area
    FROM injections j
    WHERE j.treatment_id IN (SELECT treatment_id FROM eq)
    GROUP BY j.treatment_id
    HAVING count(DISTINCT j.area) = 1
), ev AS (
    SELECT t.clinic_id, t.injector_id, coalesce(e.area, s.area) AS area, e.term, e.serious,
           t.treated_at < $start AS after_earlier
    FROM eq e
    JOIN treatments t ON t.treatment_id = e.treatment_id
    LEFT JOIN single_area s ON s.treatment_id = e.treatment_id
), ev_n AS (
    SELECT clinic_id, injector_id, area, term, count(*) AS events,
           count(*) FILTER (WHERE serious) AS serious_events,
           count(*) FILTER (WHERE after_earlier) AS events_after_earlier_treatments
    FROM ev GROUP BY clinic_id, injector_id, area, term
), exp_area AS (
    SELECT tq.clinic_id, tq.injector_id, j.area, count(DISTINCT tq.treatment_id) AS treatments
    FROM tq JOIN injections j ON j.treatment_id = tq.treatment_id
    GROUP BY tq.clinic_id, tq.injector_id, j.area
), exp_any AS (
    SELECT clinic_id, injector_id, count(*) AS treatments FROM tq GROUP BY clinic_id, injector_id
), cells AS (
    SELECT n.clinic_id, n.injector_id, n.area, n.term,
           coalesce(CASE WHEN n.area IS NULL THEN a.treatments ELSE x.treatments END, 0) AS treatments,
           n.events, n.serious_events, n.events_after_earlier_treatments
    FROM ev_n n
    LEFT JOIN exp_area x ON x.clinic_id = n.clinic_id AND x.injector_id = n.injector_id AND x.area = n.area
    LEFT JOIN exp_any a ON a.clinic_id = n.clinic_id AND a.injector_id = n.injector_id
    UNION ALL
    SELECT x.clinic_id, x.injector_id, x.area, NULL AS term, x.treatments, 0, 0, 0
    FROM exp_area x
    WHERE NOT EXISTS (SELECT 1 FROM ev_n n WHERE n.clinic_id = x.clinic_id AND n.injector_id = x.injector_id
                                             AND n.area = x.area)
)
SELECT c.name AS clinic, i.name AS injector, cells.area, cells.term, cells.treatments, cells.events,
       cells.serious_events, cells.events_after_earlier_treatments,
       CAST(round(1000.0 * cells.events / nullif(cells.treatments, 0), 2) AS DECIMAL(12, 2)) AS rate_per_1000
FROM cells
JOIN clinics c ON c.clinic_id = cells.clinic_id
JOIN injectors i ON i.injector_id = cells.injector_id
ORDER BY c.name, i.name, cells.area NULLS LAST, cells.term NULLS FIRST
