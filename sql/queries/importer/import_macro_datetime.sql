-- Import parser: a spec date-time as clinic-local wall time; NULL when malformed. Without a zone it is taken as
-- written; with Z or ±HH:MM it is converted to zone tz (the rare, slower path through iw_dt_parts/iw_dt_value).
-- t is the trimmed cell (iw_text); iw_datetime(iw_text(s), tz) is the twin of parsing.parse_datetime(s, tz).
CREATE OR REPLACE TEMP MACRO iw_datetime(t, tz) AS CASE
    WHEN NOT regexp_full_match(t, '[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?)?')
         OR t < '0001' THEN NULL
    WHEN length(t) > 10 AND (right(t, 1) = 'Z' OR substr(t, length(t) - 5, 1) IN ('+', '-'))
        THEN iw_dt_value(iw_dt_parts(t), tz)
    ELSE TRY_CAST(t AS TIMESTAMP)
END
