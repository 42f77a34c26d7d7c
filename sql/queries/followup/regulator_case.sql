-- Everything the regulator pack fills from: the case's latest version, its treatment, patient, product, lot, areas
-- and clinic, if this user may see the case (scope as on the Cases page).
SELECT ec.event_id, ec.event_ref, ec.created_at, ec.version, ec.term, rt.plain_name AS term_name,
       rt.preferred_term, ec.onset_at, ec.severity, ec.serious, ec.seriousness, ec.outcome, ec.resolved_at,
       ec.causality, ec.action_taken, ec.reported_by, ec.reported_at, ec.narrative, ec.changed_at,
       t.treatment_id, t.treatment_ref, t.treated_at, t.product, rp.brand, rp.inn, l.lot_number, t.vial_units,
       p.patient_ref, p.birth_year, p.sex, i.name AS injector, c.name AS clinic, t.clinic_id,
       t.allergy_history, t.neuromuscular_disorder, t.anticoagulant, t.interacting_medication,
       t.pregnant_or_breastfeeding, t.prior_toxin_90d,
       (SELECT string_agg(a.name, ', ' ORDER BY a.chart_y DESC) FROM injections j JOIN ref_areas a ON a.code = j.area
        WHERE j.treatment_id = t.treatment_id) AS areas,
       (SELECT sum(CAST(j.units AS DOUBLE)) FROM injections j WHERE j.treatment_id = t.treatment_id) AS total_units,
       (SELECT string_agg(DISTINCT j.depth, ', ') FROM injections j WHERE j.treatment_id = t.treatment_id) AS depths
FROM events_current ec
JOIN ref_terms rt ON rt.code = ec.term
JOIN treatments t ON t.treatment_id = ec.treatment_id
JOIN ref_products rp ON rp.code = t.product
LEFT JOIN lots l ON l.lot_id = t.lot_id
JOIN patients p ON p.patient_id = t.patient_id
JOIN injectors i ON i.injector_id = t.injector_id
JOIN clinics c ON c.clinic_id = t.clinic_id
WHERE ec.event_id = $event_id
  AND ($see_all OR t.created_by = $username OR i.name = $injector
       OR ec.event_id IN (SELECT event_id FROM event_versions WHERE version = 1 AND changed_by = $username))
