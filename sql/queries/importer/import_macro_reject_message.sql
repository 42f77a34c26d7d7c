-- Import messages: what the CSV reader's complaint about a line (its error type and message) means, in plain words.
-- The column counts come from the reader's message ("Expected Number of Columns: 8 Found: 9").
CREATE OR REPLACE TEMP MACRO iw_reject_message(kind, message) AS CASE
    WHEN kind IN ('TOO MANY COLUMNS', 'MISSING COLUMNS')
         AND regexp_matches(message, 'Expected Number of Columns: [0-9]+ Found: [0-9]+') THEN
        'the line has ' || regexp_extract(message, 'Found: ([0-9]+)', 1) || ' values where the header has '
        || regexp_extract(message, 'Expected Number of Columns: ([0-9]+)', 1) || ' columns'
    WHEN kind = 'TOO MANY COLUMNS' THEN 'the line has more values than the header has columns'
    WHEN kind = 'MISSING COLUMNS' THEN 'the line has fewer values than the header has columns'
    WHEN kind = 'UNQUOTED VALUE' THEN 'a value holds a double quote (") that is not doubled, or text follows a '
        || 'closing quote; put the whole value in double quotes and write each quote inside it twice'
    WHEN kind = 'INVALID ENCODING' THEN 'the line is not UTF-8 text'
    WHEN kind = 'LINE SIZE OVER MAXIMUM' THEN 'the line is longer than 2 MB, so a cell in it is longer than any '
        || 'column allows (200 characters, 4,000 for narrative and action_taken)'
    ELSE 'the line cannot be split into the columns of the header'
END
