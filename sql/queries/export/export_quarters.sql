-- Quarters that hold treatments or event onsets (year, quarter number, treatments, events), newest first:
-- the choices offered on the Export page.
WITH q AS (
    SELECT year(treated_at) AS year, quarter(treated_at) AS number, 1 AS treatments, 0 AS events FROM treatments
    UNION ALL
    SELECT year(onset_at), quarter(onset_at), 0, 1 FROM events_current
)
SELECT year, number, sum(treatments)::BIGINT AS treatments, sum(events)::BIGINT AS events
FROM q GROUP BY year, number ORDER BY year DESC, number DESC
