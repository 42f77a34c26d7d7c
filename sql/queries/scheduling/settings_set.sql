-- Set one installation setting, replacing its earlier value.
INSERT OR REPLACE INTO settings (key, value) VALUES ($key, $value)
