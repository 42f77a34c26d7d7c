-- The stored refresh state (no row before the first refresh).
SELECT treatment_mark, injection_mark, version_mark, treatment_print, injection_print, refreshed_at
FROM trends_refresh_state WHERE id = 1
