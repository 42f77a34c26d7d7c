-- Events attributed to one treated area of their treatment. Systemic terms (whole body, allergy and skin,
-- not tied to an area) go to the treatment's main area; others to the recorded area when it was treated, else the
-- treated area where the term is most usual (reference incidence), else the first treated area by name.
-- One row per (treatment, area, term): a treatment counts once per term. The pick is the smallest
-- (rule rank, area) of the event's candidate areas (one aggregate, no window) and carries that area's columns.
CREATE OR REPLACE TEMP TABLE sig_ev AS
WITH ev AS (
    SELECT e.event_id, e.treatment_id, e.term, e.area,
           r.body_region IN ('Whole body', 'Allergy and skin') AND r.placement_areas = '' AS systemic
    FROM events_current e
    JOIN ref_terms r ON r.code = e.term
    WHERE NOT r.is_process AND e.term <> 'other'
), picked AS (
    SELECT ev.event_id, any_value(ev.term) AS term,
           min({'main': CASE ev.systemic AND ta.is_main WHEN true THEN 0 WHEN false THEN 1 ELSE 2 END,
                'recorded': CASE NOT ev.systemic AND ta.area = ev.area WHEN true THEN 0 WHEN false THEN 1 ELSE 2 END,
                'usual': -coalesce(ae.p, -1), 'area': ta.area, 'treatment_id': ta.treatment_id,
                'cell_id': ta.cell_id, 'injector_id': ta.injector_id, 'lot_id': ta.lot_id,
                'clinic_id': ta.clinic_id, 'day': ta.day, 'dose_band': ta.dose_band,
                'product': ta.product}) AS ta
    FROM ev
    JOIN sig_ta ta ON ta.treatment_id = ev.treatment_id
    LEFT JOIN (SELECT area, term, max(p) AS p FROM ref_area_events GROUP BY area, term) ae
           ON ae.area = ta.area AND ae.term = ev.term
    GROUP BY ev.event_id
)
SELECT ta.treatment_id, ta.area, term, min(event_id) AS event_id, count(*) AS reports,
       any_value(ta.cell_id) AS cell_id, any_value(ta.injector_id) AS injector_id,
       any_value(ta.lot_id) AS lot_id, any_value(ta.clinic_id) AS clinic_id, any_value(ta.day) AS day,
       any_value(ta.dose_band) AS dose_band, any_value(ta.product) AS product
FROM picked
GROUP BY ta.treatment_id, ta.area, term
