-- Import parser: YYYY-MM-DD, a real calendar date from year 1; NULL otherwise (twin of parse_date).
CREATE OR REPLACE TEMP MACRO iw_date(s) AS CASE
    WHEN regexp_full_match(iw_text(s), '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND iw_text(s) >= '0001'
    THEN TRY_CAST(iw_text(s) AS DATE)
END
