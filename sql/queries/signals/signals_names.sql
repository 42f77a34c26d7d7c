-- Display names (injectors, clinics, terms, products, areas, factors) and term/factor attributes.
SELECT 'injector' AS kind, CAST(injector_id AS VARCHAR) AS code, name FROM injectors
UNION ALL SELECT 'clinic', CAST(clinic_id AS VARCHAR), name FROM clinics
UNION ALL SELECT 'term', code, plain_name FROM ref_terms
UNION ALL SELECT 'product', code, brand FROM ref_products
UNION ALL SELECT 'area', code, name FROM ref_areas
UNION ALL SELECT 'factor', code, label FROM ref_risk_factors
UNION ALL SELECT 'placement', code, placement_areas FROM ref_terms
UNION ALL SELECT 'related', code, related_terms FROM ref_risk_factors
UNION ALL SELECT 'region', code, body_region FROM ref_terms
UNION ALL SELECT 'systemic', code,
                 CASE WHEN body_region IN ('Whole body', 'Allergy and skin', 'Lack of effect and process incidents', 'Injection site')
                       AND placement_areas = '' THEN '1' ELSE '' END
          FROM ref_terms
