-- Treatments per day and case-mix cell (expected counts follow in numpy).
SELECT day, cell_id, count(*) AS n
FROM sig_ta
GROUP BY day, cell_id
