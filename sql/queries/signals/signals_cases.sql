-- The adverse-event cases behind a signal: the term, restricted by the signal's dimensions and period.
SELECT e.event_ref, CAST(t.treated_at AS DATE) AS treated_on, CAST(e.onset_at AS DATE) AS onset_on,
       i.name AS injector, c.name AS clinic, t.product, l.lot_number AS lot, e.area, e.severity, e.outcome,
       t.treatment_ref
FROM events_current e
JOIN treatments t ON t.treatment_id = e.treatment_id
JOIN injectors i ON i.injector_id = t.injector_id
JOIN clinics c ON c.clinic_id = t.clinic_id
LEFT JOIN lots l ON l.lot_id = t.lot_id
WHERE e.term = $term
  AND ($injector IS NULL OR i.name = $injector)
  AND ($product IS NULL OR t.product = $product)
  AND ($lot IS NULL OR l.lot_number = $lot)
  AND ($clinic IS NULL OR c.name = $clinic)
  AND ($area IS NULL OR e.area = $area OR e.area IS NULL AND EXISTS (
        SELECT 1 FROM injections j WHERE j.treatment_id = t.treatment_id AND j.area = $area))
  AND ($window_start IS NULL OR t.treated_at >= CAST($window_start AS TIMESTAMP))
  AND ($window_end IS NULL OR t.treated_at < CAST($window_end AS TIMESTAMP) + INTERVAL 1 DAY)
  AND ($date_from IS NULL OR t.treated_at >= CAST($date_from AS TIMESTAMP))
  AND ($date_to IS NULL OR t.treated_at < CAST($date_to AS TIMESTAMP) + INTERVAL 1 DAY)
  AND ($factor IS NULL
       OR ($factor = 'alcohol_48h' AND t.alcohol_48h)
       OR ($factor = 'anticoagulant' AND t.anticoagulant)
       OR ($factor = 'interacting_medication' AND t.interacting_medication)
       OR ($factor = 'prior_toxin_90d' AND t.prior_toxin_90d)
       OR ($factor = 'allergy_history' AND t.allergy_history)
       OR ($factor = 'allergy_test_done' AND t.allergy_test_done)
       OR ($factor = 'neuromuscular_disorder' AND t.neuromuscular_disorder)
       OR ($factor = 'pregnant_or_breastfeeding' AND t.pregnant_or_breastfeeding)
       OR ($factor = 'skin_infection_at_site' AND t.skin_infection_at_site)
       OR ($factor = 'aftercare_lay_down_4h' AND t.aftercare_lay_down_4h)
       OR ($factor = 'aftercare_heat_or_exercise' AND t.aftercare_heat_or_exercise))
ORDER BY t.treated_at DESC, e.event_ref
LIMIT $limit
