-- Import parser: a cell trimmed of spaces, tabs, CR and LF, NULL when empty (twin of parsing.clean).
-- One leading apostrophe before =, +, -, @, a tab or a CR is removed first: the exports write it so that a
-- spreadsheet shows such a cell as text (spec 7.6). The full work runs only when the first or last character is a
-- space or control character, or the first is an apostrophe (the rare case). The macro names s few times on
-- purpose: every use is expanded into each query that calls it, and a larger body costs planning time.
CREATE OR REPLACE TEMP MACRO iw_text(s) AS nullif(CASE
    WHEN ord(s) <= 32 OR ord(s[-1]) <= 32 OR ord(s) = 39
        THEN trim(regexp_replace(s, '^''([=+@\t\r-])', '\1'), ' ' || chr(9) || chr(13) || chr(10))
    ELSE s
END, '')
