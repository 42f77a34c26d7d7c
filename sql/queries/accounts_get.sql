-- One account by its (lower-case) username, with the sign-in state.
SELECT account_id, username, display_name, role, injector_name, email, password_hash, active,
       failed_logins, locked_until
FROM accounts
WHERE username = $username
