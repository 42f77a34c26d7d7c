-- The settings of the app's scheduled backups and exports (keys 'schedule.*'; a missing key means its default).
SELECT key, value FROM settings WHERE starts_with(key, 'schedule.') ORDER BY key
