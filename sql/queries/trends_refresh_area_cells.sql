-- Append area cells for the treatments above the old mark: one count per treatment and treated area.
INSERT INTO trends_area_cells (day, clinic_id, injector_id, product, lot_id, area, treatments)
SELECT CAST(t.treated_at AS DATE), t.clinic_id, t.injector_id, t.product, t.lot_id, a.area, count(*)
FROM (
    SELECT DISTINCT treatment_id, area
    FROM injections
    WHERE treatment_id > $old_mark AND treatment_id <= $new_mark AND injection_id <= $injection_mark
) a
JOIN treatments t ON t.treatment_id = a.treatment_id
GROUP BY CAST(t.treated_at AS DATE), t.clinic_id, t.injector_id, t.product, t.lot_id, a.area
