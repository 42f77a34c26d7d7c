-- Products for the practitioner forms: brand, unit ratio, reconstitution limit, vial sizes.
SELECT code, brand, inn, factor_vs_ona, use_within_h, vial_sizes, label_ml_per_100u, conc_u_per_0_1ml
FROM ref_products
ORDER BY CASE code WHEN 'ona' THEN 1 WHEN 'abo' THEN 2 WHEN 'inco' THEN 3 WHEN 'prabot' THEN 4
                   WHEN 'leti' THEN 5 ELSE 6 END
