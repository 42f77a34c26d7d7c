-- Append area cells for the treatments above the old mark: one count per treatment and treated area. Read from the
-- signal rows just appended (signals_refresh_rows: one row per treatment x area from the same injection rows), so
-- the injection rows are grouped per treatment and area once per refresh.
INSERT INTO trends_area_cells (day, clinic_id, injector_id, product, lot_id, area, treatments)
SELECT day, clinic_id, injector_id, product, lot_id, area, count(*)
FROM signal_rows
WHERE treatment_id > $old_mark AND treatment_id <= $new_mark
GROUP BY day, clinic_id, injector_id, product, lot_id, area
