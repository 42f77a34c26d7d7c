-- Import step: the rows this import rejects, gathered across files before they are stored; known_import is the
-- earlier import whose quarantine already holds the same raw row with the same reasons (then it is not stored again).
CREATE TEMP TABLE iw_quarantine (file VARCHAR, line BIGINT, raw VARCHAR, reasons VARCHAR, messages VARCHAR,
                                 known_import BIGINT)
