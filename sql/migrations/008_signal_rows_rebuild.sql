-- 008_signal_rows_rebuild: lack of effect (like whole-body and allergy terms) is now attributed to the treatment's
-- main area, once per treatment, instead of the treated area where the term is most usual. Stored signal event rows
-- were attributed the old way, and the case-mix cells now include the clinic (sites differ in how completely they
-- report): clearing the signal fingerprint makes the next refresh a full rebuild of both.
UPDATE trends_refresh_state SET signal_print = NULL;
