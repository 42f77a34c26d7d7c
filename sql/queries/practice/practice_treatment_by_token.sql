-- A treatment already saved by this form submission (idempotency).
SELECT treatment_id, treatment_ref FROM treatments WHERE client_token = $client_token
