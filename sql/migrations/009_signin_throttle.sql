-- 009_signin_throttle: failed sign-ins slow the next try down instead of locking the account.
-- One row per typed username (scope 'name', known or not, so an unknown name behaves exactly like a real one) and
-- per client address (scope 'address'): the failures that count toward the wait, the time before which no sign-in
-- is accepted, the latest failed try, and the failed tries the account's owner has not yet been told about.
-- The hard lock-out columns of 002 go; a lock still running carries over as a wait.
CREATE TABLE signin_throttle (
    scope            VARCHAR NOT NULL CHECK (scope IN ('name', 'address')),
    key              VARCHAR NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    failures         INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    wait_until       TIMESTAMP,
    last_failure_at  TIMESTAMP NOT NULL,
    unseen_failures  INTEGER NOT NULL DEFAULT 0 CHECK (unseen_failures >= 0),
    PRIMARY KEY (scope, key)
);

INSERT INTO signin_throttle (scope, key, failures, wait_until, last_failure_at, unseen_failures)
SELECT 'name', username,
       CASE WHEN locked_until IS NOT NULL THEN 5 ELSE failed_logins END,
       locked_until, updated_at,
       CASE WHEN locked_until IS NOT NULL THEN 5 ELSE failed_logins END
FROM accounts
WHERE failed_logins > 0 OR locked_until IS NOT NULL;

ALTER TABLE accounts DROP COLUMN locked_until;
ALTER TABLE accounts DROP COLUMN failed_logins;
