-- Import step: insert every accepted new treatment, set-wise, with the id drawn during classification.
INSERT INTO treatments (treatment_id, clinic_id, treatment_ref, treated_at, patient_id, injector_id, product, lot_id,
    vial_units, diluent_ml, reconstituted_at, alcohol_48h, anticoagulant, interacting_medication, prior_toxin_90d,
    allergy_history, allergy_test_done, neuromuscular_disorder, pregnant_or_breastfeeding, skin_infection_at_site,
    aftercare_lay_down_4h, aftercare_heat_or_exercise, import_id, created_at, created_by)
SELECT n.new_id, c.clinic_id, n.v_ref, n.v_treated_at, p.patient_id, i.injector_id, n.v_product, l.lot_id,
    n.v_vial_units, CAST(n.v_diluent_ml AS DECIMAL(6, 2)), n.v_reconstituted_at, n.v_alcohol_48h, n.v_anticoagulant,
    n.v_interacting_medication, n.v_prior_toxin_90d, n.v_allergy_history, n.v_allergy_test_done,
    n.v_neuromuscular_disorder, n.v_pregnant_or_breastfeeding, n.v_skin_infection_at_site,
    n.v_aftercare_lay_down_4h, n.v_aftercare_heat_or_exercise, $import_id, $created_at, $actor
FROM iw_cls_treatments n
JOIN clinics c ON c.name = n.v_clinic
JOIN patients p ON p.patient_ref = n.v_patient_ref
JOIN injectors i ON i.name = n.v_injector
LEFT JOIN lots l ON l.product = n.v_product AND l.lot_number = n.v_lot
WHERE n.status = 'new'
ORDER BY n.new_id  -- drawn in (clinic, treatment_id) order: the key and unique indexes are appended in order
