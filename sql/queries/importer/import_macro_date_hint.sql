-- Import messages: advice added to a bad date-time written with slashes when no date format was chosen.
CREATE OR REPLACE TEMP MACRO iw_date_hint(t, fmt) AS CASE
    WHEN fmt IS NULL AND regexp_matches(t, '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}')
        THEN '; to read dates written like this, import with --date-format DD/MM/YYYY or MM/DD/YYYY '
             || '(Dates on the Imports page)'
    ELSE ''
END
