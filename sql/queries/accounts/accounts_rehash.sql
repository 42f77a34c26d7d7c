-- Store a stronger hash of the same password after a successful sign-in (hash parameters were raised).
UPDATE accounts
SET password_hash = $password_hash
WHERE account_id = $account_id
