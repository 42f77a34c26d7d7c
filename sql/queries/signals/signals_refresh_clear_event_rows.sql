-- Full rebuild: drop every signal event row.
DELETE FROM signal_event_rows
