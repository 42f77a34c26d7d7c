-- The run's treatment x area rows when no period is asked: every stored signal row (kept by the refresh).
CREATE OR REPLACE TEMP VIEW sig_ta AS SELECT * FROM signal_rows
