-- Append dose cells for the treatments above the old mark: one count per treatment and area, keyed by
-- the area's total dose (units over all its injection rows, rounded to 0.5 U).
INSERT INTO trends_dose_cells (day, clinic_id, injector_id, product, lot_id, area, dose, treatments)
SELECT CAST(t.treated_at AS DATE), t.clinic_id, t.injector_id, t.product, t.lot_id, a.area, a.dose, count(*)
FROM (
    SELECT treatment_id, area, round(CAST(sum(units) AS DOUBLE) * 2) / 2 AS dose
    FROM injections
    WHERE treatment_id > $old_mark AND treatment_id <= $new_mark AND injection_id <= $injection_mark
    GROUP BY treatment_id, area
) a
JOIN treatments t ON t.treatment_id = a.treatment_id
GROUP BY CAST(t.treated_at AS DATE), t.clinic_id, t.injector_id, t.product, t.lot_id, a.area, a.dose
