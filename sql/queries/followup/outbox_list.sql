-- The outbox, newest first (managers).
SELECT message_id, created_at, source, subject, recipient, sent_at, attempts, last_error
FROM notification_outbox ORDER BY message_id DESC LIMIT $limit
