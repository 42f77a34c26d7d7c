-- Import parser: in a file read as semicolon-separated (decimal commas, as European spreadsheets save CSV), a
-- decimal written 2,5 is read as 2.5; with comma FALSE the text comes back unchanged.
CREATE OR REPLACE TEMP MACRO iw_decimal_comma(t, comma) AS CASE WHEN comma THEN replace(t, ',', '.') ELSE t END
