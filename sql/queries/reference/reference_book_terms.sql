-- Event terms with their plain names, body region and the severity anchors of each grade (process terms last).
SELECT code, plain_name, preferred_term, body_region, graded, is_process, grade1, grade2, grade3, grade4, grade5,
       placement_note
FROM ref_terms
ORDER BY is_process, body_region, plain_name
