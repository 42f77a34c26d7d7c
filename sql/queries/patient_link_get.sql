-- One link (no token: only its hash is stored).
SELECT link_id, treatment_id, created_at, created_by, expires_at, revoked_at, revoked_by
FROM patient_links WHERE link_id = $link_id
