-- After a wrong password: the new failure count and, when the limit is reached, the end of the lock.
UPDATE accounts
SET failed_logins = $failed_logins, locked_until = $locked_until, updated_at = $now
WHERE account_id = $account_id
