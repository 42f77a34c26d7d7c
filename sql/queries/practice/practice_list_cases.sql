-- Cases (current version of each event) this user may see, filtered by status, outcome, term, injector, period.
SELECT ec.event_id, ec.event_ref, ec.onset_at, rt.plain_name AS event, ec.term, ec.severity, ec.serious,
       ec.outcome,
       CASE WHEN ec.outcome IN ('recovered', 'recovered_with_sequelae', 'fatal') THEN 'closed' ELSE 'open' END
           AS status,
       p.patient_ref, t.treatment_ref, t.treated_at, i.name AS injector, c.name AS clinic, rp.brand AS product,
       ec.version, ec.changed_at AS last_change
FROM events_current ec
JOIN treatments t ON t.treatment_id = ec.treatment_id
JOIN patients p ON p.patient_id = t.patient_id
JOIN injectors i ON i.injector_id = t.injector_id
JOIN clinics c ON c.clinic_id = t.clinic_id
JOIN ref_products rp ON rp.code = t.product
JOIN ref_terms rt ON rt.code = ec.term
WHERE ($see_all OR t.created_by = $username OR i.name = $injector
       OR ec.event_id IN (SELECT event_id FROM event_versions WHERE version = 1 AND changed_by = $username))
  AND ($status = 'all'
       OR ($status = 'closed') = (ec.outcome IN ('recovered', 'recovered_with_sequelae', 'fatal')))
  AND (len($outcomes::VARCHAR[]) = 0 OR list_contains($outcomes::VARCHAR[], ec.outcome))
  AND (len($terms::VARCHAR[]) = 0 OR list_contains($terms::VARCHAR[], ec.term))
  AND ($injector_filter IS NULL OR i.name = $injector_filter)
  AND ($onset_from IS NULL OR ec.onset_at >= $onset_from)
  AND ($onset_to IS NULL OR ec.onset_at < $onset_to)
ORDER BY ec.onset_at DESC, ec.event_id DESC
LIMIT $limit
