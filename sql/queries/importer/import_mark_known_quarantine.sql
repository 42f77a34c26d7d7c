-- Import step: a rejected row whose raw values an earlier import already quarantined with the same reasons is
-- not quarantined again (importing the same data set twice changes nothing, spec section 2); remember which import.
UPDATE iw_quarantine SET known_import = k.import_id
FROM (
    SELECT q.file, q.raw, q.reasons, min(q.import_id) AS import_id
    FROM quarantine q
    WHERE q.raw IN (SELECT raw FROM iw_quarantine)
    GROUP BY q.file, q.raw, q.reasons
) k
WHERE k.file = iw_quarantine.file AND k.raw = iw_quarantine.raw AND k.reasons = iw_quarantine.reasons
