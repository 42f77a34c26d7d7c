-- A patient's most recent treatments, newest first. `visible` tells whether this user may see the
-- treatment's details; the date and product of the others still count for "other toxin in last 90 days".
SELECT t.treatment_id, t.treatment_ref, t.treated_at, t.product, rp.brand, c.name AS clinic, i.name AS injector,
       ($see_all OR t.created_by = $username OR i.name = $injector) AS visible,
       l.lot_number, t.vial_units, CAST(t.diluent_ml AS DOUBLE) AS diluent_ml
FROM treatments t
JOIN patients p ON p.patient_id = t.patient_id
JOIN injectors i ON i.injector_id = t.injector_id
JOIN clinics c ON c.clinic_id = t.clinic_id
JOIN ref_products rp ON rp.code = t.product
LEFT JOIN lots l ON l.lot_id = t.lot_id
WHERE p.patient_ref = $patient_ref
ORDER BY t.treated_at DESC, t.treatment_id DESC
LIMIT $limit
