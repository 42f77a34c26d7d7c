-- A new self-report link; only the SHA-256 of its token is stored.
INSERT INTO patient_links (treatment_id, token_hash, created_at, created_by, expires_at)
VALUES ($treatment_id, $token_hash, $created_at, $created_by, $expires_at)
RETURNING link_id
