-- Events per term x area x clinic x day x injector x lot, fetched once per run: the event breakdowns the
-- classification asks for (a term, optionally one area, clinic or day range) are filtered from it in memory.
SELECT term, area, clinic_id, day, injector_id, lot_id, count(*) AS observed
FROM sig_ev
GROUP BY ALL
ORDER BY term, injector_id, lot_id, clinic_id
