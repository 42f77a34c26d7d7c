-- Events per 1,000 treatments by month of treatment, for the treatments this user may see (events attributed
-- to the month of their treatment, so a month's rate compares like with like); the last $months months.
WITH mine AS (
    SELECT t.treatment_id, date_trunc('month', t.treated_at) AS month
    FROM treatments t JOIN injectors i ON i.injector_id = t.injector_id
    WHERE $see_all OR t.created_by = $username OR i.name = $injector
), t AS (
    SELECT month, count(*) AS treatments FROM mine GROUP BY 1
), e AS (
    SELECT m.month, count(*) AS events, count(*) FILTER (WHERE e.serious) AS serious
    FROM events_current e JOIN mine m USING (treatment_id) GROUP BY 1
)
SELECT t.month, t.treatments, coalesce(e.events, 0) AS events, coalesce(e.serious, 0) AS serious,
       1000.0 * coalesce(e.events, 0) / t.treatments AS rate_per_1000
FROM t LEFT JOIN e USING (month)
WHERE t.month > (SELECT max(month) FROM t) - to_months(CAST($months AS INTEGER))
ORDER BY t.month
