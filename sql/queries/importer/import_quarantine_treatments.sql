-- Import step: gather every rejected treatments.csv row (line, raw cell values, reasons) for the quarantine.
INSERT INTO iw_quarantine (file, line, raw, reasons, messages)
SELECT 'treatments.csv', c.line,
    CAST(to_json({'treatment_id': r.treatment_id, 'clinic': r.clinic, 'treated_at': r.treated_at, 'patient_ref': r.patient_ref, 'patient_birth_year': r.patient_birth_year, 'patient_sex': r.patient_sex, 'injector': r.injector, 'product': r.product, 'lot': r.lot, 'vial_units': r.vial_units, 'diluent_ml': r.diluent_ml, 'reconstituted_at': r.reconstituted_at, 'alcohol_48h': r.alcohol_48h, 'anticoagulant': r.anticoagulant, 'interacting_medication': r.interacting_medication, 'prior_toxin_90d': r.prior_toxin_90d, 'allergy_history': r.allergy_history, 'allergy_test_done': r.allergy_test_done, 'neuromuscular_disorder': r.neuromuscular_disorder, 'pregnant_or_breastfeeding': r.pregnant_or_breastfeeding, 'skin_infection_at_site': r.skin_infection_at_site, 'aftercare_lay_down_4h': r.aftercare_lay_down_4h, 'aftercare_heat_or_exercise': r.aftercare_heat_or_exercise}) AS VARCHAR),
    c.q_reasons, c.q_messages
FROM iw_cls_treatments c
JOIN iw_raw_treatments r ON r.rowid = c.rid
WHERE c.status = 'quarantine'
