-- The id of a lot by product and lot number.
SELECT lot_id FROM lots WHERE product = $product AND lot_number = $lot_number
