-- Import step: the lines the CSV reader rejected, across the files of one data set; reason is malformed_row, or
-- too_long for a line longer than the reader takes (a cell of megabytes in a big file, spec 7.5).
CREATE TEMP TABLE iw_rejects (file VARCHAR, line BIGINT, raw VARCHAR, message VARCHAR, reason VARCHAR)
