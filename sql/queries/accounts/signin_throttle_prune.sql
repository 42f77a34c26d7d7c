-- Forget throttle rows nobody needs any more: addresses and unknown names whose count has run out. Rows of real
-- accounts stay until their owner signs in (they hold the failed tries the owner is told about).
DELETE FROM signin_throttle
WHERE (scope = 'address' AND last_failure_at < $address_before)
   OR (scope = 'name' AND last_failure_at < $name_before
       AND key NOT IN (SELECT username FROM accounts))
