-- Coded event terms grouped by body region, with plain names and the per-term grade anchors.
SELECT code, plain_name, preferred_term, body_region, graded, is_process,
       grade1, grade2, grade3, grade4, grade5
FROM ref_terms
ORDER BY body_region, CASE WHEN code = 'other' THEN 1 ELSE 0 END, plain_name
