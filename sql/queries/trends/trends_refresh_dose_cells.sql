-- Append dose cells for the treatments above the old mark: one count per treatment and area, keyed by
-- the area's total dose (units over all its injection rows, rounded to 0.5 U). Read from the signal rows just
-- appended (their units are that total), like the area cells.
INSERT INTO trends_dose_cells (day, clinic_id, injector_id, product, lot_id, area, dose, treatments)
SELECT day, clinic_id, injector_id, product, lot_id, area, round(units * 2) / 2 AS dose, count(*)
FROM signal_rows
WHERE treatment_id > $old_mark AND treatment_id <= $new_mark
GROUP BY day, clinic_id, injector_id, product, lot_id, area, round(units * 2) / 2
