-- Area x term pairs the reference data expects (incidence per treatment of that area).
SELECT area, term, max(p) AS p FROM ref_area_events GROUP BY area, term ORDER BY area, term
