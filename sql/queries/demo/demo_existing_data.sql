-- demo_existing_data: how many treatments the database holds, and how many imports came from this demo seed.
SELECT
    (SELECT count(*) FROM treatments) AS treatments,
    (SELECT count(*) FROM imports WHERE source = $source) AS same_demo_imports
