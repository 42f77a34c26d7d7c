-- One treatment with its patient, injector, clinic, product and lot, if this user may see it.
SELECT t.treatment_id, t.treatment_ref, t.treated_at, p.patient_ref, p.birth_year, p.sex,
       i.name AS injector, c.name AS clinic, t.clinic_id, t.product, rp.brand, l.lot_number, t.vial_units,
       CAST(t.diluent_ml AS DOUBLE) AS diluent_ml, t.reconstituted_at, t.warnings_confirmed, t.override_reason,
       t.created_at, t.created_by,
       t.alcohol_48h, t.anticoagulant, t.interacting_medication, t.prior_toxin_90d, t.allergy_history,
       t.allergy_test_done, t.neuromuscular_disorder, t.pregnant_or_breastfeeding, t.skin_infection_at_site,
       t.aftercare_lay_down_4h, t.aftercare_heat_or_exercise
FROM treatments t
JOIN patients p ON p.patient_id = t.patient_id
JOIN injectors i ON i.injector_id = t.injector_id
JOIN clinics c ON c.clinic_id = t.clinic_id
JOIN ref_products rp ON rp.code = t.product
LEFT JOIN lots l ON l.lot_id = t.lot_id
WHERE t.treatment_id = $treatment_id
  AND ($see_all OR t.created_by = $username OR i.name = $injector)
