-- Products of the clinical reference, in the usual menu order: unit ratio, concentration, label dilution, use-within.
SELECT code, brand, inn, factor_vs_ona, conc_u_per_0_1ml, label_ml_per_100u, use_within_h, vial_sizes
FROM ref_products
ORDER BY CASE code WHEN 'ona' THEN 1 WHEN 'abo' THEN 2 WHEN 'inco' THEN 3 WHEN 'prabot' THEN 4
                   WHEN 'leti' THEN 5 ELSE 6 END
