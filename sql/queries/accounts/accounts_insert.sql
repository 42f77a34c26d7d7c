-- Create an account; returns its id.
INSERT INTO accounts (username, display_name, role, injector_name, email, password_hash, active,
                      created_at, created_by, updated_at)
VALUES ($username, $display_name, $role, $injector_name, $email, $password_hash, TRUE,
        $now, $created_by, $now)
RETURNING account_id
