-- Active accounts that could still manage accounts if one account were changed (guards against lock-out).
SELECT count(*)
FROM accounts
WHERE active AND list_contains($roles, role) AND account_id <> $account_id
