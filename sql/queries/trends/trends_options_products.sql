-- Products for the filter, brand with the international name.
SELECT code AS id, brand || ' (' || inn || ')' AS label FROM ref_products ORDER BY brand
