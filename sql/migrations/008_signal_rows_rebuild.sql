-- 008_signal_rows_rebuild: session-level events (whole body, allergy and skin, lack of effect, injection site) are now
-- counted once per treatment on its main area instead of on the treated area where the term is most usual, and the
-- case-mix cells now carry the clinic (sites differ in how completely they report) and the number of areas treated in
-- the session. The stored signal rows were built the old way: clearing the signal fingerprint makes the next refresh
-- a full rebuild of both tables (derived data, rebuilt from the records).
ALTER TABLE signal_rows ADD COLUMN areas_band INTEGER DEFAULT 1;
UPDATE trends_refresh_state SET signal_print = NULL;
