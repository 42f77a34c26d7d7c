-- Import parser, step 1 of a date-time: split it into date, hour, minute, second and zone (all '' when no match).
CREATE OR REPLACE TEMP MACRO iw_dt_parts(s) AS regexp_extract(
    iw_text(s),
    '^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ]([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?(Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?)?$',
    ['d', 'h', 'm', 's', 'z']
)
