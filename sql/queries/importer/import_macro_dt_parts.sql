-- Import parser, zoned date-times: split the trimmed text into date, hour, minute, second and zone.
CREATE OR REPLACE TEMP MACRO iw_dt_parts(t) AS regexp_extract(
    t,
    '^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?(Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$',
    ['d', 'h', 'm', 's', 'z']
)
