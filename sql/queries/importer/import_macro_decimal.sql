-- Import parser: a plain decimal with '.' (no exponent, no thousands separator); NULL otherwise.
-- t is the trimmed cell (iw_text); iw_decimal(iw_text(s)) is the twin of parsing.parse_decimal(s).
CREATE OR REPLACE TEMP MACRO iw_decimal(t) AS CASE
    WHEN regexp_full_match(t, '[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})') THEN CAST(t AS DOUBLE)
END
