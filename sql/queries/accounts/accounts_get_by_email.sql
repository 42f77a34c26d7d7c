-- The active account whose e-mail matches a single sign-on identity (case-insensitive).
SELECT account_id, username, display_name, role, injector_name, email, password_hash, active
FROM accounts
WHERE lower(email) = lower($email) AND active
ORDER BY account_id
LIMIT 1
