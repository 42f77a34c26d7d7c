-- One injector's treatments of one area per case-mix cell (the cell fixes the dose band): treatments, summed dose
-- ratio (units / top of the usual range; 1 where the reference gives no range) and treatments with the term.
SELECT ta.cell_id, any_value(ta.dose_band) AS dose_band, count(*) AS n,
       sum(coalesce(ta.dose_ratio, 1.0)) AS dose_sum, count(ev.treatment_id) AS observed
FROM sig_ta ta
LEFT JOIN sig_ev ev ON ev.treatment_id = ta.treatment_id AND ev.area = ta.area AND ev.term = $term
WHERE ta.injector_id = $injector_id AND ta.area = $area
GROUP BY ta.cell_id
ORDER BY ta.cell_id
