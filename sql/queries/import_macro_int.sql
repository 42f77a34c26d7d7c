-- Import parser: a plain whole number of at most 18 digits; NULL otherwise (twin of parse_int).
CREATE OR REPLACE TEMP MACRO iw_int(s) AS CASE
    WHEN regexp_full_match(iw_text(s), '[+-]?[0-9]{1,18}') THEN CAST(iw_text(s) AS BIGINT)
END
