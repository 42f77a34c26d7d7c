-- Within a day range, per lot and injector: treatments, expected and observed events of one term.
WITH e AS (
    SELECT ta.lot_id, ta.injector_id, count(*) AS treatments, sum(p.p) AS expected
    FROM sig_ta ta JOIN sig_phat p ON p.cell_id = ta.cell_id AND p.term = $term
    WHERE ta.day BETWEEN CAST($day_from AS DATE) AND CAST($day_to AS DATE)
    GROUP BY ta.lot_id, ta.injector_id
), o AS (
    SELECT lot_id, injector_id, count(*) AS observed
    FROM sig_ev
    WHERE term = $term AND day BETWEEN CAST($day_from AS DATE) AND CAST($day_to AS DATE)
    GROUP BY lot_id, injector_id
)
SELECT e.lot_id, e.injector_id, e.treatments, e.expected, coalesce(o.observed, 0) AS observed
FROM e LEFT JOIN o ON o.lot_id IS NOT DISTINCT FROM e.lot_id AND o.injector_id = e.injector_id
ORDER BY e.lot_id, e.injector_id
