-- Notifications not sent yet, oldest first.
SELECT message_id, created_at, treatment_id, clinic_id, source, subject, body, recipient, attempts
FROM notification_outbox WHERE sent_at IS NULL ORDER BY message_id LIMIT $limit
