-- Import parser, `import --date-format`: a date written DD/MM/YYYY or MM/DD/YYYY (fmt), optionally followed by a
-- time H:MM[:SS], rewritten as YYYY-MM-DD[THH:MM[:SS]]; any other text, or fmt NULL, comes back unchanged.
-- iw_slash_date(iw_text(s), fmt) is the twin of parsing.from_slash_date(s, fmt).
CREATE OR REPLACE TEMP MACRO iw_slash_date(t, fmt) AS CASE
    WHEN fmt IS NULL
         OR NOT regexp_full_match(t, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?') THEN t
    ELSE iw_slash_parts(regexp_extract(t,
        '^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?:[T ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?$',
        ['a', 'b', 'y', 'h', 'm', 's']), fmt)
END
