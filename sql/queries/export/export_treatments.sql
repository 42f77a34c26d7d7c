-- treatments.csv, identified: every treatment given in the quarter [$start, $end) plus the earlier treatments
-- that the quarter's events follow, in the columns of interchange-v1 section 1.1.
WITH ev AS (
    SELECT treatment_id FROM events_current WHERE onset_at >= $start AND onset_at < $end
), tr AS (
    SELECT treatment_id FROM treatments WHERE treated_at >= $start AND treated_at < $end
    UNION
    SELECT treatment_id FROM ev
)
SELECT t.treatment_ref AS treatment_id, c.name AS clinic, t.treated_at, p.patient_ref,
       p.birth_year AS patient_birth_year, p.sex AS patient_sex, i.name AS injector, t.product,
       l.lot_number AS lot, t.vial_units, t.diluent_ml, t.reconstituted_at,
       t.alcohol_48h, t.anticoagulant, t.interacting_medication, t.prior_toxin_90d, t.allergy_history,
       t.allergy_test_done, t.neuromuscular_disorder, t.pregnant_or_breastfeeding, t.skin_infection_at_site,
       t.aftercare_lay_down_4h, t.aftercare_heat_or_exercise
FROM tr
JOIN treatments t ON t.treatment_id = tr.treatment_id
JOIN clinics c ON c.clinic_id = t.clinic_id
JOIN patients p ON p.patient_id = t.patient_id
JOIN injectors i ON i.injector_id = t.injector_id
LEFT JOIN lots l ON l.lot_id = t.lot_id
ORDER BY t.treated_at, c.name, t.treatment_ref
