-- Lot x term (over every area of the term): treatments, observed, expected, period of use, injectors.
WITH g AS (
    SELECT lot_id, cell_id, count(*) AS n FROM sig_ta WHERE lot_id IS NOT NULL GROUP BY lot_id, cell_id
), e AS (
    SELECT g.lot_id, p.term, sum(g.n) AS treatments, sum(g.n * p.p) AS expected
    FROM g JOIN sig_phat p ON p.cell_id = g.cell_id
    GROUP BY g.lot_id, p.term
), o AS (
    SELECT lot_id, term, count(*) AS observed, count(DISTINCT injector_id) AS injectors_with_events
    FROM sig_ev WHERE lot_id IS NOT NULL GROUP BY lot_id, term
), use AS (
    SELECT lot_id, min(day) AS first_day, max(day) AS last_day, count(DISTINCT injector_id) AS injectors
    FROM sig_ta WHERE lot_id IS NOT NULL GROUP BY lot_id
)
SELECT e.lot_id, l.lot_number AS lot, l.product, e.term, e.treatments, e.expected,
       coalesce(o.observed, 0) AS observed, coalesce(o.injectors_with_events, 0) AS injectors_with_events,
       u.first_day, u.last_day, u.injectors
FROM e
JOIN lots l ON l.lot_id = e.lot_id
JOIN use u ON u.lot_id = e.lot_id
LEFT JOIN o ON o.lot_id = e.lot_id AND o.term = e.term
ORDER BY e.term, e.lot_id
