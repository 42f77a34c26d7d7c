-- The SHA-256 of the reference files that the ref_* tables were last loaded from.
SELECT value FROM settings WHERE key = 'reference_hash'
