-- Add a lot typed on the Log treatment page.
INSERT INTO lots (product, lot_number) VALUES ($product, $lot_number) RETURNING lot_id
