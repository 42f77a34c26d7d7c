-- Import parser: a code matched case-insensitively, returned in its canonical spelling; NULL when unknown.
-- t is the trimmed cell (iw_text); lowered is the list of lower-cased codes, canonical the same list as spelled
-- in spec section 4. iw_code(iw_text(s), ...) is the twin of parsing.parse_code(s, codes).
CREATE OR REPLACE TEMP MACRO iw_code(t, lowered, canonical) AS canonical[list_position(lowered, lower(t))]
