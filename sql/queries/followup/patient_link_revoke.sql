-- Switch a link off (kept, so the page can say it was revoked); nothing happens when it is already off.
INSERT INTO patient_link_revocations (link_id, revoked_at, revoked_by)
SELECT l.link_id, $revoked_at, $revoked_by FROM patient_links l
WHERE l.link_id = $link_id AND NOT EXISTS (SELECT 1 FROM patient_link_revocations r WHERE r.link_id = l.link_id)
RETURNING link_id
