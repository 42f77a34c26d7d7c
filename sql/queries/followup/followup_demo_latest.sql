-- Demo: the latest treatments with no event and no review, for the patient reports (deterministic order).
SELECT t.treatment_id
FROM treatments t
JOIN injectors i ON i.injector_id = t.injector_id
WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.treatment_id = t.treatment_id)
  AND NOT EXISTS (SELECT 1 FROM patient_links l WHERE l.treatment_id = t.treatment_id)
  AND NOT list_contains($never, i.name)
ORDER BY t.treated_at DESC, t.treatment_id DESC
LIMIT $limit
