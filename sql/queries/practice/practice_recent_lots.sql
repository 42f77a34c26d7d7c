-- Lots of one product used in the last $days days, most recently used first.
SELECT l.lot_number, max(t.treated_at) AS last_used
FROM lots l
JOIN treatments t ON t.lot_id = l.lot_id
WHERE l.product = $product AND t.treated_at >= $since
GROUP BY l.lot_number
ORDER BY last_used DESC, l.lot_number
LIMIT 10
