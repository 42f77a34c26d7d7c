-- Treatments of one area with each term that followed (the event flags of the CUSUM series).
SELECT term, treatment_id FROM sig_ev WHERE area = $area ORDER BY term, treatment_id
