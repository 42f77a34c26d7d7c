-- Recent treatments this user may see, optionally narrowed by patient ref (substring) and injector;
-- the areas summary is built only for the rows kept.
WITH picked AS (
    SELECT t.treatment_id, t.treatment_ref, t.treated_at, p.patient_ref, i.name AS injector, c.name AS clinic,
           t.product, rp.brand
    FROM treatments t
    JOIN patients p ON p.patient_id = t.patient_id
    JOIN injectors i ON i.injector_id = t.injector_id
    JOIN clinics c ON c.clinic_id = t.clinic_id
    JOIN ref_products rp ON rp.code = t.product
    WHERE ($see_all OR t.created_by = $username OR i.name = $injector)
      AND ($search = '' OR contains(lower(p.patient_ref), lower($search)))
      AND ($injector_filter IS NULL OR i.name = $injector_filter)
    ORDER BY t.treated_at DESC, t.treatment_id DESC
    LIMIT $limit
)
SELECT picked.*, agg.areas
FROM picked
LEFT JOIN (
    SELECT j.treatment_id,
           string_agg(a.name || ' ' || format('{:g}', CAST(j.units AS DOUBLE)) || ' U', ', ' ORDER BY a.chart_y DESC)
               AS areas
    FROM injections j
    JOIN ref_areas a ON a.code = j.area
    WHERE j.treatment_id IN (SELECT treatment_id FROM picked)
    GROUP BY j.treatment_id
) agg ON agg.treatment_id = picked.treatment_id
ORDER BY picked.treated_at DESC, picked.treatment_id DESC
