-- Lift a lockout after failed sign-ins.
UPDATE accounts
SET failed_logins = 0, locked_until = NULL, updated_at = $now
WHERE account_id = $account_id
