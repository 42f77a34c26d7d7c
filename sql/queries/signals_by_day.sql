-- Day x term: treatments, observed and expected (for the temporal scans).
WITH g AS (
    SELECT day, cell_id, count(*) AS n FROM sig_ta GROUP BY day, cell_id
), e AS (
    SELECT g.day, p.term, sum(g.n * p.p) AS expected, sum(g.n) AS treatments
    FROM g JOIN sig_phat p ON p.cell_id = g.cell_id
    GROUP BY g.day, p.term
), o AS (
    SELECT day, term, count(*) AS observed FROM sig_ev GROUP BY day, term
)
SELECT e.day, e.term, e.treatments, e.expected, coalesce(o.observed, 0) AS observed
FROM e LEFT JOIN o ON o.day = e.day AND o.term = e.term
ORDER BY e.term, e.day
