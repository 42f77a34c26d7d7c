-- Replace the password hash (reset by an administrator or rehash); also clears a lock.
UPDATE accounts
SET password_hash = $password_hash, failed_logins = 0, locked_until = NULL, updated_at = $now
WHERE account_id = $account_id
