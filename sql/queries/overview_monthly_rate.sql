-- Events per 1,000 treatments by month of treatment (events attributed to the month of their treatment,
-- so a month's rate compares like with like); the last $months months that have treatments.
WITH t AS (
    SELECT date_trunc('month', treated_at) AS month, count(*) AS treatments
    FROM treatments GROUP BY 1
), e AS (
    SELECT date_trunc('month', t.treated_at) AS month, count(*) AS events,
           count(*) FILTER (WHERE e.serious) AS serious
    FROM events_current e JOIN treatments t USING (treatment_id) GROUP BY 1
)
SELECT t.month, t.treatments, coalesce(e.events, 0) AS events, coalesce(e.serious, 0) AS serious,
       1000.0 * coalesce(e.events, 0) / t.treatments AS rate_per_1000
FROM t LEFT JOIN e USING (month)
WHERE t.month > (SELECT max(month) FROM t) - to_months(CAST($months AS INTEGER))
ORDER BY t.month
