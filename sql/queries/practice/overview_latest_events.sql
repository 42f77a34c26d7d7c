-- The most recent adverse events (by onset) this user may see, with what is needed to recognise them.
SELECT e.event_ref, e.onset_at, r.plain_name AS event, e.severity, e.serious,
       replace(e.outcome, '_', ' ') AS outcome, i.name AS injector, c.name AS clinic, p.brand AS product, e.version
FROM events_current e
JOIN treatments t USING (treatment_id)
JOIN injectors i USING (injector_id)
JOIN clinics c ON c.clinic_id = t.clinic_id
JOIN ref_terms r ON r.code = e.term
JOIN ref_products p ON p.code = t.product
WHERE $see_all OR t.created_by = $username OR i.name = $injector
   OR e.event_id IN (SELECT event_id FROM event_versions WHERE version = 1 AND changed_by = $username)
ORDER BY e.onset_at DESC, e.event_id DESC
LIMIT $limit
