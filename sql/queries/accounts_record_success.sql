-- After a successful sign-in: clear the failure count and any expired lock.
UPDATE accounts
SET failed_logins = 0, locked_until = NULL, last_login_at = $now
WHERE account_id = $account_id
