-- Import check (spec 7.4): the reason bad_value with the names of the cells holding a NUL character, or NULL when
-- none does. names and vals are lists in the same order.
CREATE OR REPLACE TEMP MACRO iw_nul(names, vals) AS CASE
    WHEN list_bool_or(list_transform(vals, x -> coalesce(contains(x, chr(0)), false))) THEN
        'bad_value' || chr(31) || array_to_string(list_filter(names, (x, i) -> coalesce(contains(vals[i], chr(0)), false)), ', ')
        || ' holds a NUL character (an invisible code-0 character that a damaged file or a copy from another program '
        || 'can leave); remove it and import the row again'
END
