-- The base tables of the main schema of the open database (their names are the allow-list for row counts).
SELECT table_name
FROM duckdb_tables()
WHERE schema_name = 'main' AND database_name = current_database() AND NOT temporary
ORDER BY table_name
