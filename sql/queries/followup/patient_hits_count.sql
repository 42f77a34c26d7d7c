-- Tries in a bucket since a time, successful or failed as asked.
SELECT count(*) FROM patient_link_hits WHERE bucket = $bucket AND hit_at >= $since AND ok = $ok
