-- After a successful sign-in (or for a new account): the username's count, wait and unseen failures start over.
DELETE FROM signin_throttle
WHERE scope = 'name' AND key = $name
