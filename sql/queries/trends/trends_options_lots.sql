-- Lots for the filter, labelled with their product's brand.
SELECT l.lot_id AS id, p.brand || ' lot ' || l.lot_number AS label, l.product
FROM lots l JOIN ref_products p ON p.code = l.product
ORDER BY p.brand, l.lot_number
