-- Events of one term (optionally one area, clinic, day range) broken down by injector, lot and clinic.
SELECT injector_id, lot_id, clinic_id, count(*) AS observed
FROM sig_ev
WHERE term = $term
  AND ($area IS NULL OR area = $area)
  AND ($clinic_id IS NULL OR clinic_id = $clinic_id)
  AND ($day_from IS NULL OR day >= CAST($day_from AS DATE))
  AND ($day_to IS NULL OR day <= CAST($day_to AS DATE))
GROUP BY injector_id, lot_id, clinic_id
ORDER BY injector_id, lot_id, clinic_id
