-- Every version of one patient report, oldest first, if this user may see its treatment.
SELECT v.version, v.status, v.term, rt.plain_name AS term_name, v.severity, v.red_flag, v.narrative, v.event_id,
       v.changed_at, v.changed_by, v.note
FROM patient_report_versions v
JOIN patient_reports r ON r.report_id = v.report_id
JOIN ref_terms rt ON rt.code = v.term
JOIN treatments t ON t.treatment_id = r.treatment_id
JOIN injectors i ON i.injector_id = t.injector_id
WHERE v.report_id = $report_id
  AND ($see_all OR t.created_by = $username OR i.name = $injector)
ORDER BY v.version
