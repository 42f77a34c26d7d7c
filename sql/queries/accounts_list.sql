-- Every account for the Accounts page and `users list` (never the password hash).
SELECT username, display_name, role, injector_name, email, active, failed_logins, locked_until,
       last_login_at, created_at, created_by
FROM accounts
ORDER BY active DESC, username
