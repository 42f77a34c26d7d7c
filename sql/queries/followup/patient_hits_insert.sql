-- One try at a self-report link (for the rate limit).
INSERT INTO patient_link_hits (bucket, hit_at, ok) VALUES ($bucket, $hit_at, $ok)
