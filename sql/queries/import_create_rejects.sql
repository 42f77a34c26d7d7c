-- Import step: the lines the CSV reader rejected, across the files of one data set.
CREATE TEMP TABLE iw_rejects (file VARCHAR, line BIGINT, raw VARCHAR, message VARCHAR)
