-- Treatments per recorded lot and case-mix cell (expected counts follow in numpy).
SELECT lot_id, cell_id, count(*) AS n
FROM sig_ta
WHERE lot_id IS NOT NULL
GROUP BY lot_id, cell_id
