-- Import parser: a plain decimal with '.' (no exponent); NULL otherwise (twin of parse_decimal).
CREATE OR REPLACE TEMP MACRO iw_decimal(s) AS CASE
    WHEN regexp_full_match(iw_text(s), '[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})')
    THEN CAST(iw_text(s) AS DOUBLE)
END
