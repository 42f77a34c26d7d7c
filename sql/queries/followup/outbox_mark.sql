-- Record one sending attempt (sent_at set when it went out).
UPDATE notification_outbox SET sent_at = $sent_at, attempts = attempts + 1, last_error = $last_error
WHERE message_id = $message_id
