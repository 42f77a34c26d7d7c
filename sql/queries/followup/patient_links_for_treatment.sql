-- The self-report links made for a treatment, newest first, with how many answers each brought.
SELECT l.link_id, l.created_at, l.created_by, l.expires_at, r.revoked_at, r.revoked_by,
       (SELECT count(*) FROM patient_submissions s WHERE s.link_id = l.link_id) AS answers
FROM patient_links l LEFT JOIN patient_link_revocations r ON r.link_id = l.link_id
WHERE l.treatment_id = $treatment_id
ORDER BY l.created_at DESC, l.link_id DESC
