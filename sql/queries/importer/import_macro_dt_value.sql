-- Import parser, zoned date-times: the instant in p (made by iw_dt_parts) as wall time in zone tz.
CREATE OR REPLACE TEMP MACRO iw_dt_value(p, tz) AS CASE
    WHEN p.d = '' OR p.d < '0001' THEN NULL
    ELSE timezone(tz, timezone('UTC',
        TRY_CAST(p.d || ' ' || p.h || ':' || p.m || ':' || coalesce(nullif(p.s, ''), '00') AS TIMESTAMP)
        - CASE WHEN p.z = 'Z' THEN INTERVAL 0 MINUTE
               ELSE (CASE WHEN substr(p.z, 1, 1) = '-' THEN -1 ELSE 1 END)
                    * (CAST(substr(p.z, 2, 2) AS INTEGER) * INTERVAL 1 HOUR
                       + CAST(substr(p.z, 5, 2) AS INTEGER) * INTERVAL 1 MINUTE) END))
END
