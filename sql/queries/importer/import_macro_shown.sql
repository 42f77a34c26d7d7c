-- Import messages: a cell as a message quotes it, at most 60 characters (a cell of any size may reach a message),
-- with a NUL character shown as the visible sign ␀.
CREATE OR REPLACE TEMP MACRO iw_shown(t) AS replace(
    CASE WHEN length(t) > 60 THEN left(t, 57) || '...' ELSE t END, chr(0), '␀')
