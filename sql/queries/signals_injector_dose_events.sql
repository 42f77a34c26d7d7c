-- Treatments with each term per injector x area x dose band (attributed events, one per treatment and term).
SELECT injector_id, area, term, dose_band, count(*) AS observed
FROM sig_ev
GROUP BY injector_id, area, term, dose_band
ORDER BY injector_id, area, term, dose_band
