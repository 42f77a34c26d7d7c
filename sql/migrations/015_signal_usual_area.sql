-- 015_signal_usual_area: an event of a term tied to an area but without a placement signature (eyelid numbness, say),
-- reported without its area, is now counted on the treated area where the term is most usual (reference incidence)
-- instead of on the session's main area. The stored signal event rows were built the old way: clearing the signal
-- fingerprint makes the next refresh a full rebuild (derived data, rebuilt from the records).
UPDATE trends_refresh_state SET signal_print = NULL;
