-- Treatments per injector and case-mix cell (expected counts follow from these and the per-cell probabilities in
-- numpy); n_out counts the treatment x area rows with a dose outside the usual range, dose_sum sums their dose
-- ratio (units / top of the usual range; 1 where the reference gives no range) for the injector dose bands.
SELECT injector_id, cell_id, count(*) AS n, count(*) FILTER (WHERE dose_band IN (0, 3, 4)) AS n_out,
       sum(coalesce(dose_ratio, 1.0)) AS dose_sum
FROM sig_ta
GROUP BY injector_id, cell_id
