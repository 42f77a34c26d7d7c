-- Switch a link off (kept, so the page can say it was revoked).
UPDATE patient_links SET revoked_at = $revoked_at, revoked_by = $revoked_by
WHERE link_id = $link_id AND revoked_at IS NULL
RETURNING link_id, treatment_id
