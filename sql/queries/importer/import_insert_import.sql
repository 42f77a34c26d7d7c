-- Import step: open the imports row that quarantine rows, treatments and event versions point to.
INSERT INTO imports (source, actor, started_at)
VALUES ($source, $actor, $started_at)
RETURNING import_id
