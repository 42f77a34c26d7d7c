-- The schema migrations applied to the database being backed up.
SELECT version FROM schema_migrations ORDER BY version
