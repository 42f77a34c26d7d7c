-- Append treatment cells for the treatments above the old mark (up to the new one).
INSERT INTO trends_treatment_cells (day, clinic_id, injector_id, product, lot_id, treatments)
SELECT CAST(treated_at AS DATE), clinic_id, injector_id, product, lot_id, count(*)
FROM treatments
WHERE treatment_id > $old_mark AND treatment_id <= $new_mark
GROUP BY CAST(treated_at AS DATE), clinic_id, injector_id, product, lot_id
