-- The run's attributed events: one row per (treatment, area, term) in the period, so a treatment counts once per
-- term, from the stored signal event rows (one per event, kept by the refresh).
CREATE OR REPLACE TEMP TABLE sig_ev AS
SELECT treatment_id, area, term, min(event_id) AS event_id, count(*) AS reports,
       any_value(cell_id) AS cell_id, any_value(injector_id) AS injector_id,
       any_value(lot_id) AS lot_id, any_value(clinic_id) AS clinic_id, any_value(day) AS day,
       any_value(dose_band) AS dose_band, any_value(product) AS product
FROM signal_event_rows
WHERE ($date_from IS NULL OR day >= CAST($date_from AS DATE))
  AND ($date_to IS NULL OR day <= CAST($date_to AS DATE))
GROUP BY treatment_id, area, term
