-- Import parser: a code matched case-insensitively, returned in its canonical spelling; NULL when unknown.
-- lowered is the list of lower-cased codes, canonical the same list as spelled in spec section 4.
CREATE OR REPLACE TEMP MACRO iw_code(s, lowered, canonical) AS canonical[list_position(lowered, lower(iw_text(s)))]
