-- An event version already saved by this form submission (idempotency).
SELECT e.event_id, e.event_ref, v.version
FROM event_versions v JOIN events e ON e.event_id = v.event_id
WHERE v.client_token = $client_token
