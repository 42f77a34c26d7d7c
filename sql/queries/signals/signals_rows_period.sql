-- The run's treatment x area rows of a period (inclusive dates; NULL = open), copied from the stored signal rows.
CREATE OR REPLACE TEMP TABLE sig_ta AS
SELECT * FROM signal_rows
WHERE ($date_from IS NULL OR day >= CAST($date_from AS DATE))
  AND ($date_to IS NULL OR day <= CAST($date_to AS DATE))
