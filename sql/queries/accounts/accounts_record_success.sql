-- After a successful sign-in: remember when.
UPDATE accounts
SET last_login_at = $now
WHERE account_id = $account_id
