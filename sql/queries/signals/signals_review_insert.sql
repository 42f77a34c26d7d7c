INSERT INTO signal_reviews (signal_id, reviewed_at, reviewed_by, note, level, kind, term, observed, summary)
VALUES ($signal_id, $reviewed_at, $reviewed_by, $note, $level, $kind, $term, $observed, $summary)
RETURNING review_id
