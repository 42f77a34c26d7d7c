-- Import parser: true/false, yes/no, y/n, 1/0 in any case; NULL when empty or not a boolean.
-- t is the trimmed cell (iw_text); iw_bool(iw_text(s)) is the twin of parsing.parse_bool(s).
CREATE OR REPLACE TEMP MACRO iw_bool(t) AS CASE
    WHEN lower(t) IN ('true', 'yes', 'y', '1') THEN TRUE
    WHEN lower(t) IN ('false', 'no', 'n', '0') THEN FALSE
END
