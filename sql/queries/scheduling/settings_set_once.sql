-- Record a setting only if it is not set yet (first start markers).
INSERT INTO settings (key, value)
SELECT $key, $value
WHERE NOT EXISTS (SELECT 1 FROM settings WHERE key = $key)
