-- The throttle rows of one sign-in attempt: its typed username and, when known, its client address.
SELECT scope, key, failures, wait_until, last_failure_at, unseen_failures
FROM signin_throttle
WHERE (scope = 'name' AND key = $name) OR (scope = 'address' AND key = $address)
