-- Every account for the Accounts page and `users list` (never the password hash), with its sign-in wait.
SELECT a.username, a.display_name, a.role, a.injector_name, a.email, a.active,
       coalesce(t.failures, 0) AS failed_tries, t.wait_until,
       a.last_login_at, a.created_at, a.created_by
FROM accounts a
LEFT JOIN signin_throttle t ON t.scope = 'name' AND t.key = a.username
ORDER BY a.active DESC, a.username
