-- Import parser: a cell trimmed of spaces, tabs, CR and LF, NULL when empty (twin of parsing.clean).
-- The full trim runs only when the first or last character is a space or control character (the rare case).
CREATE OR REPLACE TEMP MACRO iw_text(s) AS nullif(CASE
    WHEN ord(s) <= 32 OR ord(s[-1]) <= 32 THEN trim(s, ' ' || chr(9) || chr(13) || chr(10))
    ELSE s
END, '')
