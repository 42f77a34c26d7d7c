-- Import parser: YYYY-MM-DD, a real calendar date from year 1; NULL otherwise.
-- t is the trimmed cell (iw_text); iw_date(iw_text(s)) is the twin of parsing.parse_date(s).
CREATE OR REPLACE TEMP MACRO iw_date(t) AS CASE
    WHEN regexp_full_match(t, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND t >= '0001' THEN TRY_CAST(t AS DATE)
END
