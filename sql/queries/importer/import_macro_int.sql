-- Import parser: a plain whole number of at most 18 digits; NULL otherwise.
-- t is the trimmed cell (iw_text); iw_int(iw_text(s)) is the twin of parsing.parse_int(s).
CREATE OR REPLACE TEMP MACRO iw_int(t) AS CASE
    WHEN regexp_full_match(t, '[+-]?[0-9]{1,18}') THEN CAST(t AS BIGINT)
END
