-- Every lot used in the period: number, product, first and last day of use, injectors who used it.
SELECT u.lot_id, l.lot_number AS lot, l.product, u.first_day, u.last_day, u.injectors
FROM (
    SELECT lot_id, min(day) AS first_day, max(day) AS last_day, count(DISTINCT injector_id) AS injectors
    FROM sig_ta WHERE lot_id IS NOT NULL GROUP BY lot_id
) u
JOIN lots l ON l.lot_id = u.lot_id
ORDER BY u.lot_id
