-- Store a throttle row after a failed sign-in (the new values are worked out in dashboard/accounts/throttle.py).
INSERT INTO signin_throttle (scope, key, failures, wait_until, last_failure_at, unseen_failures)
VALUES ($scope, $key, $failures, $wait_until, $last_failure_at, $unseen_failures)
ON CONFLICT (scope, key) DO UPDATE SET
    failures = EXCLUDED.failures,
    wait_until = EXCLUDED.wait_until,
    last_failure_at = EXCLUDED.last_failure_at,
    unseen_failures = EXCLUDED.unseen_failures
