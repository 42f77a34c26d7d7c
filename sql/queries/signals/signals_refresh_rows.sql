-- Append the signal rows of the treatments above the old mark (up to the new one), from their injection rows up to
-- the injection mark: one row per treatment x area with the case-mix keys: dose band relative to the area's
-- usual range for the product (0 below, 1 lower half, 2 upper half, 3 up to 1.5x the top, 4 beyond),
-- volume-per-point band, age band (<45, 45-59, 60+), sex, risk-factor bit mask, whether it is the treatment's main
-- area (most units, ties to the later area name; session-level events are counted once per treatment, on it), the
-- number of areas treated in the session (1, 2, 3, 4 or more: more injections, more chances of a session-level event),
-- and a cell id hashing (area, product, bands, mask, main, areas, clinic). A full rebuild runs it from mark 0.
INSERT INTO signal_rows (treatment_id, clinic_id, injector_id, lot_id, product, day, area, units, dose_ratio, is_main,
                         dose_band, vpp_band, age_band, sex, fmask, areas_band, cell_id)
WITH per_area AS (
    SELECT i.treatment_id, i.area,
           sum(i.units) AS units,
           sum(i.points) AS points,
           sum(i.volume_ml) AS volume_ml
    FROM injections i
    WHERE i.treatment_id > $old_mark AND i.treatment_id <= $new_mark AND i.injection_id <= $injection_mark
    GROUP BY i.treatment_id, i.area
), main AS (
    SELECT treatment_id, max({'u': units, 'a': area}).a AS main_area, least(count(*), 4) AS areas_band
    FROM per_area GROUP BY treatment_id
), base AS (
    SELECT t.treatment_id, t.clinic_id, t.injector_id, t.lot_id, t.product,
           CAST(t.treated_at AS DATE) AS day, a.area, CAST(a.units AS DOUBLE) AS units,
           CAST(a.units AS DOUBLE) / d.usual_hi AS dose_ratio,
           (a.area = m.main_area) AS is_main,
           CASE WHEN d.usual_lo IS NULL THEN 1
                WHEN a.units < d.usual_lo THEN 0
                WHEN a.units <= (d.usual_lo + d.usual_hi) / 2 THEN 1
                WHEN a.units <= d.usual_hi THEN 2
                WHEN a.units <= 1.5 * d.usual_hi THEN 3
                ELSE 4 END AS dose_band,
           CASE WHEN a.points IS NULL OR a.volume_ml IS NULL OR a.points = 0 THEN 1
                WHEN a.volume_ml / a.points < 0.05 THEN 0
                WHEN a.volume_ml / a.points <= 0.125 THEN 1
                WHEN a.volume_ml / a.points <= 0.2 THEN 2
                ELSE 3 END AS vpp_band,
           CASE WHEN p.birth_year IS NULL THEN 1
                WHEN year(t.treated_at) - p.birth_year < 45 THEN 0
                WHEN year(t.treated_at) - p.birth_year < 60 THEN 1
                ELSE 2 END AS age_band,
           CASE WHEN p.sex = 'M' THEN 'M' ELSE 'F' END AS sex,
           (CASE WHEN t.alcohol_48h THEN 1 ELSE 0 END)
         + (CASE WHEN t.anticoagulant THEN 2 ELSE 0 END)
         + (CASE WHEN t.interacting_medication THEN 4 ELSE 0 END)
         + (CASE WHEN t.prior_toxin_90d THEN 8 ELSE 0 END)
         + (CASE WHEN t.allergy_history THEN 16 ELSE 0 END)
         + (CASE WHEN t.allergy_test_done THEN 32 ELSE 0 END)
         + (CASE WHEN t.neuromuscular_disorder THEN 64 ELSE 0 END)
         + (CASE WHEN t.pregnant_or_breastfeeding THEN 128 ELSE 0 END)
         + (CASE WHEN t.skin_infection_at_site THEN 256 ELSE 0 END)
         + (CASE WHEN t.aftercare_lay_down_4h THEN 512 ELSE 0 END)
         + (CASE WHEN t.aftercare_heat_or_exercise THEN 1024 ELSE 0 END) AS fmask,
           m.areas_band
    FROM treatments t
    JOIN patients p ON p.patient_id = t.patient_id
    JOIN per_area a ON a.treatment_id = t.treatment_id
    JOIN main m ON m.treatment_id = t.treatment_id
    LEFT JOIN ref_area_doses d ON d.area = a.area AND d.product = t.product
    WHERE t.treatment_id > $old_mark AND t.treatment_id <= $new_mark
)
SELECT *, CAST(hash(area, product, dose_band, vpp_band, fmask, is_main, age_band, sex, areas_band, clinic_id) >> 2
               AS BIGINT) AS cell_id
FROM base
