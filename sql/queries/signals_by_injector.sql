-- Injector x area x term: treatments, observed, expected (from sig_phat), and the out-of-range share.
WITH g AS (
    SELECT injector_id, cell_id, count(*) AS n, count(*) FILTER (WHERE dose_band IN (0, 3, 4)) AS n_out
    FROM sig_ta GROUP BY injector_id, cell_id
), e AS (
    SELECT g.injector_id, p.area, p.term, sum(g.n) AS treatments, sum(g.n * p.p) AS expected,
           sum(g.n_out) AS n_out, sum(g.n_out * p.p) AS expected_out
    FROM g JOIN sig_phat p ON p.cell_id = g.cell_id
    GROUP BY g.injector_id, p.area, p.term
), o AS (
    SELECT injector_id, area, term, count(*) AS observed,
           count(*) FILTER (WHERE dose_band IN (0, 3, 4)) AS observed_out
    FROM sig_ev GROUP BY injector_id, area, term
)
SELECT e.injector_id, i.name AS injector, e.area, e.term, e.treatments, e.expected, e.n_out, e.expected_out,
       coalesce(o.observed, 0) AS observed, coalesce(o.observed_out, 0) AS observed_out
FROM e
JOIN injectors i ON i.injector_id = e.injector_id
LEFT JOIN o ON o.injector_id = e.injector_id AND o.area = e.area AND o.term = e.term
ORDER BY e.term, e.area, e.injector_id
