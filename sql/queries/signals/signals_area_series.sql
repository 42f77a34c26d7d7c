-- Treatments of one area in time order per injector, with their case-mix cell (the CUSUM series; the event
-- flag of each term comes from sig_ev in memory, so an area is fetched once however many terms are charted).
SELECT injector_id, cell_id, day, treatment_id
FROM sig_ta
WHERE area = $area
ORDER BY injector_id, day, treatment_id
