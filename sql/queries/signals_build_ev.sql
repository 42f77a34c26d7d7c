-- Events attributed to one treated area of their treatment. Systemic terms (whole body, allergy and skin,
-- not tied to an area)
-- go to the treatment's main area; others to the recorded area when it was treated, else the treated area
-- where the term is most usual (reference incidence), else the first treated area.
-- One row per (treatment, area, term): a treatment counts once per term.
CREATE OR REPLACE TEMP TABLE sig_ev AS
WITH ev AS (
    SELECT e.event_id, e.treatment_id, e.term, e.area,
           r.body_region IN ('Whole body', 'Allergy and skin') AND r.placement_areas = '' AS systemic
    FROM events_current e
    JOIN ref_terms r ON r.code = e.term
    WHERE NOT r.is_process AND e.term <> 'other'
), ranked AS (
    SELECT ev.event_id, ev.treatment_id, ev.term, ta.area,
           row_number() OVER (
               PARTITION BY ev.event_id
               ORDER BY (ev.systemic AND ta.is_main) DESC, (NOT ev.systemic AND ta.area = ev.area) DESC NULLS LAST,
                        coalesce(ae.p, -1) DESC, ta.area
           ) AS pick
    FROM ev
    JOIN sig_ta ta ON ta.treatment_id = ev.treatment_id
    LEFT JOIN (SELECT area, term, max(p) AS p FROM ref_area_events GROUP BY area, term) ae
           ON ae.area = ta.area AND ae.term = ev.term
)
SELECT ta.treatment_id, ta.area, r.term, min(r.event_id) AS event_id, count(*) AS reports,
       any_value(ta.cell_id) AS cell_id, any_value(ta.injector_id) AS injector_id,
       any_value(ta.lot_id) AS lot_id, any_value(ta.clinic_id) AS clinic_id, any_value(ta.day) AS day,
       any_value(ta.dose_band) AS dose_band, any_value(ta.product) AS product
FROM ranked r
JOIN sig_ta ta ON ta.treatment_id = r.treatment_id AND ta.area = r.area
WHERE r.pick = 1
GROUP BY ta.treatment_id, ta.area, r.term
