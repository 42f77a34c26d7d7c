-- Replace the password hash (reset by an administrator); the caller also clears any sign-in wait.
UPDATE accounts
SET password_hash = $password_hash, updated_at = $now
WHERE account_id = $account_id
