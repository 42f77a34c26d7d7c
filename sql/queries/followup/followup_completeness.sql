-- Reporting completeness per clinic x injector, over the treatments given from $since whose review was due by
-- $today: how many were reviewed (a review recorded, or an event reported), their events per treatment, and the
-- events found by follow-up (reported from a patient report, or on or after the review day).
WITH t AS (
    SELECT t.treatment_id, t.treated_at, t.product, c.name AS clinic, i.name AS injector
    FROM treatments t
    JOIN clinics c ON c.clinic_id = t.clinic_id
    JOIN injectors i ON i.injector_id = t.injector_id
    WHERE t.treated_at >= $since
),
days AS (
    SELECT t.treatment_id, max(r.review_day) AS review_day
    FROM t
    JOIN ref_followup_rules r
      ON (r.product IS NULL OR r.product = t.product)
     AND (r.area IS NULL OR EXISTS (SELECT 1 FROM injections j WHERE j.treatment_id = t.treatment_id AND j.area = r.area))
    GROUP BY t.treatment_id
),
due AS (
    SELECT t.*, CAST(t.treated_at AS DATE) + days.review_day AS review_due
    FROM t JOIN days ON days.treatment_id = t.treatment_id
    WHERE CAST(t.treated_at AS DATE) + days.review_day <= $today
),
ev AS (
    SELECT ec.treatment_id, count(*) AS events,
           count(*) FILTER (WHERE ec.reported_by = 'patient'
                            OR CAST(ec.reported_at AS DATE) >= d.review_due) AS found_by_follow_up
    FROM events_current ec JOIN due d ON d.treatment_id = ec.treatment_id
    GROUP BY ec.treatment_id
)
SELECT d.clinic, d.injector, count(*) AS treatments,
       count(*) FILTER (WHERE ev.events > 0 OR EXISTS (
           SELECT 1 FROM followup_reviews fr WHERE fr.treatment_id = d.treatment_id)) AS reviewed,
       coalesce(sum(ev.events), 0) AS events, coalesce(sum(ev.found_by_follow_up), 0) AS found_by_follow_up
FROM due d LEFT JOIN ev ON ev.treatment_id = d.treatment_id
GROUP BY d.clinic, d.injector
ORDER BY d.clinic, d.injector
