-- Full rebuild, step 2: drop every area cell.
DELETE FROM trends_area_cells
