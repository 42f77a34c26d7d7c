-- Treatments of one area in time order per injector, with their case-mix cell and whether the term followed.
SELECT ta.injector_id, ta.cell_id, ta.day, (ev.treatment_id IS NOT NULL) AS event
FROM sig_ta ta
LEFT JOIN sig_ev ev ON ev.treatment_id = ta.treatment_id AND ev.area = ta.area AND ev.term = $term
WHERE ta.area = $area
ORDER BY ta.injector_id, ta.day, ta.treatment_id
