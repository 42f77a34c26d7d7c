-- The latest version of each patient report this user may see (scope as on the Cases page), waiting ones
-- (received or edited) first, red flags first; $statuses narrows, $treatment_filter picks one treatment.
WITH latest AS (
    SELECT v.report_id, max(v.version) AS version FROM patient_report_versions v GROUP BY v.report_id
)
SELECT r.report_id, r.treatment_id, r.question, r.created_at AS received_at, s.onset_date, s.submitted_at,
       v.version, v.status, v.term, rt.plain_name AS term_name, v.severity, v.red_flag, v.narrative, v.event_id,
       v.changed_at, v.changed_by, v.note,
       t.treatment_ref, t.treated_at, p.patient_ref, i.name AS injector, c.name AS clinic
FROM patient_reports r
JOIN latest l ON l.report_id = r.report_id
JOIN patient_report_versions v ON v.report_id = l.report_id AND v.version = l.version
JOIN patient_submissions s ON s.submission_id = r.submission_id
JOIN ref_terms rt ON rt.code = v.term
JOIN treatments t ON t.treatment_id = r.treatment_id
JOIN patients p ON p.patient_id = t.patient_id
JOIN injectors i ON i.injector_id = t.injector_id
JOIN clinics c ON c.clinic_id = t.clinic_id
WHERE ($see_all OR t.created_by = $username OR i.name = $injector)
  AND list_contains($statuses, v.status)
  AND ($treatment_filter IS NULL OR r.treatment_id = $treatment_filter)
  AND ($report_filter IS NULL OR r.report_id = $report_filter)
ORDER BY (v.status IN ('received', 'edited')) DESC, v.red_flag DESC, r.created_at DESC, r.report_id DESC
LIMIT $limit
