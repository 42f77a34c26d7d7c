-- Event terms for the filter, in plain words, grouped by body region.
SELECT code AS id, plain_name AS label, body_region FROM ref_terms ORDER BY body_region, plain_name
