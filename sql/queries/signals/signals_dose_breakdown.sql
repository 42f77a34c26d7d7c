-- Out-of-range treatments and events by area x product x side (below / above the usual range) x injector, for
-- every term at once (who gives those doses): rows with term NULL count treatments, the others events of the term.
SELECT area, product, dose_band = 0 AS below, injector_id, CAST(NULL AS VARCHAR) AS term, count(*) AS count
FROM sig_ta
WHERE dose_band IN (0, 3, 4)
GROUP BY ALL
UNION ALL
SELECT area, product, dose_band = 0 AS below, injector_id, term, count(*) AS count
FROM sig_ev
WHERE dose_band IN (0, 3, 4)
GROUP BY ALL
