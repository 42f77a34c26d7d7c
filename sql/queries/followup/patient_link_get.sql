-- One link (no token: only its hash is stored).
SELECT l.link_id, l.treatment_id, l.created_at, l.created_by, l.expires_at, r.revoked_at, r.revoked_by
FROM patient_links l LEFT JOIN patient_link_revocations r ON r.link_id = l.link_id
WHERE l.link_id = $link_id
