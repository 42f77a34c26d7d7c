-- Recent treatments this user may see, optionally narrowed by patient ref (substring) and injector.
SELECT t.treatment_id, t.treatment_ref, t.treated_at, p.patient_ref, i.name AS injector, c.name AS clinic,
       t.product, rp.brand,
       (SELECT string_agg(a.name || ' ' || format('{:g}', CAST(j.units AS DOUBLE)) || ' U', ', '
                          ORDER BY a.chart_y DESC)
        FROM injections j JOIN ref_areas a ON a.code = j.area
        WHERE j.treatment_id = t.treatment_id) AS areas
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
