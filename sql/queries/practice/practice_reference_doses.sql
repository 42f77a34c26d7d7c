-- Usual total dose per area and product (units of that product).
SELECT area, product, usual_lo, usual_hi, label_total, basis
FROM ref_area_doses
