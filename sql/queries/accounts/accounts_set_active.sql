-- Deactivate (no more sign-ins, history kept) or reactivate an account.
UPDATE accounts
SET active = $active, updated_at = $now
WHERE account_id = $account_id
