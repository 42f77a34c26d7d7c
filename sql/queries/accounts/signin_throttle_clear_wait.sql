-- Unlock or password reset by a manager: no wait and a new count; the owner is still told about the failed tries.
UPDATE signin_throttle
SET failures = 0, wait_until = NULL
WHERE scope = 'name' AND key = $name
