-- The link a token opens, with the only things the patient's page shows: treatment date and clinic name.
SELECT l.link_id, l.treatment_id, l.expires_at, r.revoked_at, CAST(t.treated_at AS DATE) AS treated_on,
       c.name AS clinic, t.clinic_id
FROM patient_links l
JOIN treatments t ON t.treatment_id = l.treatment_id
JOIN clinics c ON c.clinic_id = t.clinic_id
LEFT JOIN patient_link_revocations r ON r.link_id = l.link_id
WHERE l.token_hash = $token_hash
