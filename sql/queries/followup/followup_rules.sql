-- The follow-up schedule as loaded from data/reference/followup.yaml, default first.
SELECT r.product, rp.brand, r.area, ra.name AS area_name, r.review_day, r.watch_until_day, r.reason
FROM ref_followup_rules r
LEFT JOIN ref_products rp ON rp.code = r.product
LEFT JOIN ref_areas ra ON ra.code = r.area
ORDER BY (r.product IS NOT NULL OR r.area IS NOT NULL), r.product, r.area
