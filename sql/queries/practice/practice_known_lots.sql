-- Lots of one product, most recently used first.
SELECT l.lot_number, max(t.treated_at) AS last_used
FROM lots l
LEFT JOIN treatments t ON t.lot_id = l.lot_id
WHERE l.product = $product
GROUP BY l.lot_number
ORDER BY last_used DESC NULLS LAST, l.lot_number
LIMIT 50
