-- The follow-up list: treatments this user may see (same scope as the Cases page), treated on or after $since
-- or with a patient report still waiting for a clinician, with their review day and red-flag watch (the latest
-- of every ref_followup_rules row that applies), the review recorded, events reported and patient reports waiting.
-- $today is the clinic-local date the statuses are computed for.
WITH scoped AS (
    SELECT t.treatment_id, t.treatment_ref, t.treated_at, t.product, t.clinic_id, p.patient_ref,
           i.name AS injector, c.name AS clinic, rp.brand
    FROM treatments t
    JOIN patients p ON p.patient_id = t.patient_id
    JOIN injectors i ON i.injector_id = t.injector_id
    JOIN clinics c ON c.clinic_id = t.clinic_id
    JOIN ref_products rp ON rp.code = t.product
    WHERE ($see_all OR t.created_by = $username OR i.name = $injector)
      AND ($clinic_filter IS NULL OR c.name = $clinic_filter)
      AND ($injector_filter IS NULL OR i.name = $injector_filter)
      AND (t.treated_at >= $since OR t.treatment_id IN (
            SELECT r.treatment_id FROM patient_reports r
            JOIN patient_report_versions v ON v.report_id = r.report_id
            GROUP BY r.treatment_id, r.report_id
            HAVING arg_max(v.status, v.version) IN ('received', 'edited')))
),
rules AS (
    SELECT s.treatment_id, max(r.review_day) AS review_day, max(r.watch_until_day) AS watch_day
    FROM scoped s
    JOIN ref_followup_rules r
      ON (r.product IS NULL OR r.product = s.product)
     AND (r.area IS NULL OR EXISTS (SELECT 1 FROM injections j
                                    WHERE j.treatment_id = s.treatment_id AND j.area = r.area))
    GROUP BY s.treatment_id
),
reviews AS (
    SELECT treatment_id, max(reviewed_at) AS reviewed_at, arg_max(reviewed_by, reviewed_at) AS reviewed_by
    FROM followup_reviews WHERE treatment_id IN (SELECT treatment_id FROM scoped) GROUP BY treatment_id
),
evs AS (
    SELECT ec.treatment_id, count(*) AS events,
           count(*) FILTER (WHERE list_contains($red_terms, ec.term)
                            AND ec.outcome NOT IN ('recovered', 'recovered_with_sequelae', 'fatal')) AS red_open,
           min(ec.event_id) FILTER (WHERE ec.serious AND NOT EXISTS (
               SELECT 1 FROM regulator_submissions rs WHERE rs.event_id = ec.event_id)) AS serious_event_id,
           min(ec.reported_at) FILTER (WHERE ec.serious AND NOT EXISTS (
               SELECT 1 FROM regulator_submissions rs WHERE rs.event_id = ec.event_id)) AS serious_reported_at
    FROM events_current ec WHERE ec.treatment_id IN (SELECT treatment_id FROM scoped) GROUP BY ec.treatment_id
),
latest AS (
    SELECT r.treatment_id, r.report_id, arg_max(v.status, v.version) AS status, arg_max(v.red_flag, v.version) AS red
    FROM patient_reports r JOIN patient_report_versions v ON v.report_id = r.report_id
    WHERE r.treatment_id IN (SELECT treatment_id FROM scoped)
    GROUP BY r.treatment_id, r.report_id
),
pending AS (
    SELECT treatment_id, count(*) AS waiting, count(*) FILTER (WHERE red) AS red_waiting
    FROM latest WHERE status IN ('received', 'edited') GROUP BY treatment_id
),
rows AS (
    SELECT s.*, ru.review_day, ru.watch_day,
           CAST(s.treated_at AS DATE) + ru.review_day AS review_due,
           CAST(s.treated_at AS DATE) + ru.watch_day AS watch_until,
           rv.reviewed_at, rv.reviewed_by,
           coalesce(ev.events, 0) AS events, coalesce(ev.red_open, 0) AS red_open_events,
           coalesce(pd.waiting, 0) AS patient_reports_waiting, coalesce(pd.red_waiting, 0) AS red_flag_reports,
           ev.serious_event_id, ev.serious_reported_at
    FROM scoped s
    JOIN rules ru ON ru.treatment_id = s.treatment_id
    LEFT JOIN reviews rv ON rv.treatment_id = s.treatment_id
    LEFT JOIN evs ev ON ev.treatment_id = s.treatment_id
    LEFT JOIN pending pd ON pd.treatment_id = s.treatment_id
),
classified AS (
    SELECT *,
           CASE WHEN red_flag_reports > 0 OR (red_open_events > 0 AND $today <= watch_until) THEN 'urgent'
                WHEN reviewed_at IS NOT NULL OR events > 0 THEN 'done'
                WHEN review_due < $today THEN 'overdue'
                WHEN review_due = $today THEN 'due_today'
                ELSE 'upcoming' END AS status
    FROM rows
)
SELECT * FROM classified
WHERE list_contains($statuses, status)
ORDER BY CASE status WHEN 'urgent' THEN 0 WHEN 'overdue' THEN 1 WHEN 'due_today' THEN 2 WHEN 'upcoming' THEN 3
                     ELSE 4 END,
         CASE WHEN status = 'upcoming' THEN review_due END ASC,
         CASE WHEN status <> 'upcoming' THEN review_due END ASC,
         treated_at ASC, treatment_id
LIMIT $limit
