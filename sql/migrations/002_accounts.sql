-- 002_accounts: sign-in accounts (argon2 password hashes, role, lockout state).
-- Portable SQL. Updates touch only non-key columns (failed_logins, locked_until, role, active, password_hash).

CREATE SEQUENCE seq_account START 1;

CREATE TABLE accounts (
    account_id      INTEGER PRIMARY KEY DEFAULT nextval('seq_account'),
    username        VARCHAR NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
    display_name    VARCHAR NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role            VARCHAR NOT NULL CHECK (role IN ('practitioner','manager','admin')),
    injector_name   VARCHAR CHECK (length(injector_name) BETWEEN 1 AND 200),
    email           VARCHAR CHECK (length(email) BETWEEN 3 AND 254),   -- for single sign-on (st.login)
    password_hash   VARCHAR NOT NULL CHECK (password_hash LIKE '$argon2%'),
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins   INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until    TIMESTAMP,
    last_login_at   TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    created_by      VARCHAR NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
