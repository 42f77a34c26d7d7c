-- Injector x area x term: observed events and those after an out-of-range dose.
SELECT injector_id, area, term, count(*) AS observed,
       count(*) FILTER (WHERE dose_band IN (0, 3, 4)) AS observed_out
FROM sig_ev
GROUP BY injector_id, area, term
