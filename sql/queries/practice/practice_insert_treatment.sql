-- Record a treatment logged in the app.
INSERT INTO treatments (
    clinic_id, treatment_ref, treated_at, patient_id, injector_id, product, lot_id, vial_units, diluent_ml,
    reconstituted_at, alcohol_48h, anticoagulant, interacting_medication, prior_toxin_90d, allergy_history,
    allergy_test_done, neuromuscular_disorder, pregnant_or_breastfeeding, skin_infection_at_site,
    aftercare_lay_down_4h, aftercare_heat_or_exercise, warnings_confirmed, override_reason, client_token,
    created_at, created_by)
VALUES (
    $clinic_id, $treatment_ref, $treated_at, $patient_id, $injector_id, $product, $lot_id, $vial_units, $diluent_ml,
    $reconstituted_at, $alcohol_48h, $anticoagulant, $interacting_medication, $prior_toxin_90d, $allergy_history,
    $allergy_test_done, $neuromuscular_disorder, $pregnant_or_breastfeeding, $skin_infection_at_site,
    $aftercare_lay_down_4h, $aftercare_heat_or_exercise, $warnings_confirmed, $override_reason, $client_token,
    $created_at, $created_by)
RETURNING treatment_id
