-- The latest review of every reviewed signal, with how many times it was reviewed.
SELECT signal_id, reviewed_at, reviewed_by, note, level, observed, reviews
FROM (
    SELECT signal_id, reviewed_at, reviewed_by, note, level, observed,
           count(*) OVER (PARTITION BY signal_id) AS reviews,
           row_number() OVER (PARTITION BY signal_id ORDER BY reviewed_at DESC, review_id DESC) AS rn
    FROM signal_reviews
) WHERE rn = 1
ORDER BY signal_id
