-- 1 when the code is an event term of the reference list.
SELECT 1 FROM ref_terms WHERE code = $term
