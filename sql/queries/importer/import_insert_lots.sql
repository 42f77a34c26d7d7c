-- Import step: create the product lots named by new treatments.
INSERT INTO lots (product, lot_number)
SELECT DISTINCT n.v_product, n.v_lot
FROM iw_cls_treatments n
WHERE n.status = 'new' AND n.v_lot IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM lots l WHERE l.product = n.v_product AND l.lot_number = n.v_lot)
ORDER BY n.v_product, n.v_lot
