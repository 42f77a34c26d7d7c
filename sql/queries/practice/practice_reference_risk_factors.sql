-- The risk-factor checklist with a one-line explanation each.
SELECT code, label, explanation, contraindication
FROM ref_risk_factors
