-- Import parser: true/false, yes/no, y/n, 1/0 in any case; NULL when empty or not a boolean (twin of parse_bool).
CREATE OR REPLACE TEMP MACRO iw_bool(s) AS CASE
    WHEN lower(iw_text(s)) IN ('true', 'yes', 'y', '1') THEN TRUE
    WHEN lower(iw_text(s)) IN ('false', 'no', 'n', '0') THEN FALSE
END
