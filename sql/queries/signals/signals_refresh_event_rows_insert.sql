-- Insert the signal event rows of events that gained a version above the old mark, from their latest version
-- (after signals_refresh_rows, so a new treatment's rows are there). Each event is counted once, on one treated area:
-- - session-level terms (whole body, allergy and skin, lack of effect, injection site: not tied to one area's anatomy,
--   and often reported without an area) go to the treatment's main area, whatever area the reporter wrote: the model
--   predicts them per treatment (with the number of areas treated), so an injector who treats few areas, or a site
--   that never records the area, is compared like with like;
-- - other terms go to the area the reporter recorded when it was treated, else to a treated area whose misplaced or
--   excessive injection produces the term (reference: eyelid ptosis from the glabella, whatever else was treated),
--   else to the treated area where the term is most usual (reference incidence: eyelid numbness from the glabella,
--   whatever area was the session's main one), else to the main area. The last two hold for every term tied to an
--   area, with or without a placement signature: an injector who never writes the area down is then counted where
--   the term arises, as are the colleagues who do.
-- The pick is the smallest (rule rank, area) of the event's candidate areas (one aggregate, no window) and carries
-- that area's columns. Process terms and 'other' are not analysed (a follow-up changing to one drops the row).
INSERT INTO signal_event_rows (event_id, treatment_id, area, term, cell_id, injector_id, lot_id, clinic_id, day,
                               dose_band, product)
WITH ev AS (
    SELECT e.event_id, e.treatment_id, e.term, e.area,
           r.body_region IN ('Whole body', 'Allergy and skin', 'Lack of effect and process incidents', 'Injection site')
               AND r.placement_areas = '' AS systemic,
           r.placement_areas <> '' AS anatomical, string_split(r.placement_areas, ',') AS signature_areas
    FROM events_current e
    JOIN ref_terms r ON r.code = e.term
    WHERE NOT r.is_process AND e.term <> 'other'
      AND e.event_id IN (SELECT event_id FROM event_versions WHERE version_id > $old_mark AND version_id <= $new_mark)
), picked AS (
    SELECT ev.event_id, any_value(ev.term) AS term,
           min({'recorded': CASE NOT ev.systemic AND ta.area = ev.area WHEN true THEN 0 ELSE 1 END,
                'signature': CASE WHEN ev.anatomical AND list_contains(ev.signature_areas, ta.area) THEN 0 ELSE 1 END,
                'usual': CASE WHEN NOT ev.systemic THEN -coalesce(ae.p, -1) ELSE 0 END,
                'main': CASE WHEN ta.is_main THEN 0 ELSE 1 END, 'area': ta.area, 'treatment_id': ta.treatment_id,
                'cell_id': ta.cell_id, 'injector_id': ta.injector_id, 'lot_id': ta.lot_id,
                'clinic_id': ta.clinic_id, 'day': ta.day, 'dose_band': ta.dose_band,
                'product': ta.product}) AS ta
    FROM ev
    JOIN signal_rows ta ON ta.treatment_id = ev.treatment_id
    LEFT JOIN (SELECT area, term, max(p) AS p FROM ref_area_events GROUP BY area, term) ae
           ON ae.area = ta.area AND ae.term = ev.term
    GROUP BY ev.event_id
)
SELECT event_id, ta.treatment_id, ta.area, term, ta.cell_id, ta.injector_id, ta.lot_id, ta.clinic_id, ta.day,
       ta.dose_band, ta.product
FROM picked
