-- Change an account's role (and the injector name a practitioner is linked to).
UPDATE accounts
SET role = $role, injector_name = $injector_name, updated_at = $now
WHERE account_id = $account_id
