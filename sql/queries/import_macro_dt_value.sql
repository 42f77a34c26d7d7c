-- Import parser, step 2 of a date-time: clinic-local wall time; a zoned value is converted to zone tz
-- (twin of parse_datetime). p is the struct made by iw_dt_parts.
CREATE OR REPLACE TEMP MACRO iw_dt_value(p, tz) AS CASE
    WHEN p.d = '' OR p.d < '0001' THEN NULL
    WHEN p.z = '' THEN TRY_CAST(p.d || ' ' || coalesce(nullif(p.h, ''), '00') || ':' || coalesce(nullif(p.m, ''), '00')
                                || ':' || coalesce(nullif(p.s, ''), '00') AS TIMESTAMP)
    ELSE timezone(tz, timezone('UTC',
        TRY_CAST(p.d || ' ' || p.h || ':' || p.m || ':' || coalesce(nullif(p.s, ''), '00') AS TIMESTAMP)
        - CASE WHEN p.z = 'Z' THEN INTERVAL 0 MINUTE
               ELSE (CASE WHEN substr(p.z, 1, 1) = '-' THEN -1 ELSE 1 END)
                    * (CAST(substr(p.z, 2, 2) AS INTEGER) * INTERVAL 1 HOUR
                       + CAST(substr(p.z, 5, 2) AS INTEGER) * INTERVAL 1 MINUTE) END))
END
