-- Replace the refresh state, step 1.
DELETE FROM trends_refresh_state WHERE id = 1
