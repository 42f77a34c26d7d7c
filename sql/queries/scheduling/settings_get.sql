-- One installation setting by key (NULL when unset).
SELECT value FROM settings WHERE key = $key
