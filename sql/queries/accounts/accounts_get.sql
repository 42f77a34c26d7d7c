-- One account by its (lower-case) username.
SELECT account_id, username, display_name, role, injector_name, email, password_hash, active
FROM accounts
WHERE username = $username
