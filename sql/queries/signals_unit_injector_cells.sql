-- Treatments per injector and case-mix cell (expected counts follow from these and the per-cell probabilities in
-- numpy); n_out counts the treatment x area rows with a dose outside the usual range.
SELECT injector_id, cell_id, count(*) AS n, count(*) FILTER (WHERE dose_band IN (0, 3, 4)) AS n_out
FROM sig_ta
GROUP BY injector_id, cell_id
