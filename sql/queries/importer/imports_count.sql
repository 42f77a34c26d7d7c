-- How many imports were run, and how many rows they quarantined in all.
SELECT count(*) AS imports, coalesce(sum(quarantined), 0) AS quarantined
FROM imports
