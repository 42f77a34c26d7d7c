-- Patients most recently treated, among the treatments this user may see.
SELECT p.patient_ref, max(t.treated_at) AS last_treated
FROM treatments t
JOIN patients p ON p.patient_id = t.patient_id
JOIN injectors i ON i.injector_id = t.injector_id
WHERE ($see_all OR t.created_by = $username OR i.name = $injector)
GROUP BY p.patient_ref
ORDER BY last_treated DESC, p.patient_ref
LIMIT $limit
