-- Create the first account only while there is none (two setup screens at once cannot both win).
INSERT INTO accounts (username, display_name, role, injector_name, email, password_hash, active,
                      created_at, created_by, updated_at)
SELECT $username, $display_name, $role, $injector_name, $email, $password_hash, TRUE,
       $now, $created_by, $now
WHERE NOT EXISTS (SELECT 1 FROM accounts)
RETURNING account_id
