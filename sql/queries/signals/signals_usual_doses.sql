-- The usual dose range of every area for every product (for dose charts).
SELECT area, product, usual_lo, usual_hi FROM ref_area_doses ORDER BY area, product
