-- Treatments per unit and case-mix cell (injector, lot and day at once; expected counts are computed from these
-- and the per-cell probabilities in numpy): one row per grouping set, the other unit columns NULL.
-- n_out counts the treatment x area rows with a dose outside the usual range.
SELECT GROUPING(injector_id, lot_id, day) AS kind, injector_id, lot_id, day, cell_id,
       count(*) AS n, count(*) FILTER (WHERE dose_band IN (0, 3, 4)) AS n_out
FROM sig_ta
GROUP BY GROUPING SETS ((injector_id, cell_id), (lot_id, cell_id), (day, cell_id))
