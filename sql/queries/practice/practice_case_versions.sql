-- Every version of one case, oldest first, if this user may see the case.
SELECT e.event_id, e.event_ref, e.treatment_id, e.clinic_id, v.version, v.term, rt.plain_name AS term_name,
       v.onset_at, v.severity, v.serious, v.seriousness, v.outcome, v.resolved_at, v.side, v.area, v.causality,
       v.action_taken, v.reported_by, v.reported_at, v.narrative, v.changed_at, v.changed_by, v.change_note,
       v.import_id
FROM events e
JOIN event_versions v ON v.event_id = e.event_id
JOIN ref_terms rt ON rt.code = v.term
JOIN treatments t ON t.treatment_id = e.treatment_id
JOIN injectors i ON i.injector_id = t.injector_id
WHERE e.event_id = $event_id
  AND ($see_all OR t.created_by = $username OR i.name = $injector
       OR e.event_id IN (SELECT event_id FROM event_versions WHERE version = 1 AND changed_by = $username))
ORDER BY v.version
