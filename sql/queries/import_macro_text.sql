-- Import parser: a trimmed text cell, NULL when empty (twin of parsing.clean).
CREATE OR REPLACE TEMP MACRO iw_text(s) AS nullif(trim(CAST(s AS VARCHAR), ' ' || chr(9) || chr(13) || chr(10)), '')
