-- Full rebuild: drop every signal row.
DELETE FROM signal_rows
