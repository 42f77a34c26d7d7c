-- 011_followups: the follow-up schedule (loaded from data/reference/followup.yaml), reviews recorded without an
-- event, patient self-report links (only a hash of each token is stored), patient answers and the
-- patient-reported events a clinician confirms, edits or rejects (append-only versions), and the throttle rows
-- that rate-limit the links. Portable SQL: standard types, sequences, CHECK/FK constraints.

CREATE SEQUENCE seq_followup_review START 1;
CREATE SEQUENCE seq_patient_link START 1;
CREATE SEQUENCE seq_patient_submission START 1;
CREATE SEQUENCE seq_patient_report START 1;
CREATE SEQUENCE seq_patient_report_version START 1;

-- When a treatment is reviewed and how long its red-flag watch lasts, in days after the treatment. A rule with
-- product and area NULL is the default; a rule naming a product, an area or both applies to treatments with that
-- product or that treat that area. A treatment takes the latest review day and the latest watch end of every
-- rule that applies to it.
CREATE TABLE ref_followup_rules (
    product         VARCHAR,                -- a ref_products code (checked when loaded), NULL for any
    area            VARCHAR,                -- a ref_areas code (checked when loaded), NULL for any
    review_day      INTEGER NOT NULL CHECK (review_day BETWEEN 1 AND 90),
    watch_until_day INTEGER NOT NULL CHECK (watch_until_day BETWEEN 1 AND 120),
    reason          VARCHAR NOT NULL,
    CHECK (watch_until_day >= review_day)
);

-- "Reviewed: no adverse event": a review of the treatment, not an event.
CREATE TABLE followup_reviews (
    review_id       BIGINT PRIMARY KEY DEFAULT nextval('seq_followup_review'),
    treatment_id    BIGINT NOT NULL REFERENCES treatments(treatment_id),
    reviewed_at     TIMESTAMP NOT NULL,
    reviewed_by     VARCHAR NOT NULL,
    outcome         VARCHAR NOT NULL CHECK (outcome IN ('no_event')),
    note            VARCHAR CHECK (length(note) <= 1000),
    client_token    VARCHAR UNIQUE
);

-- A patient's self-report link for one treatment. The token itself is never stored: only its SHA-256.
CREATE TABLE patient_links (
    link_id         BIGINT PRIMARY KEY DEFAULT nextval('seq_patient_link'),
    treatment_id    BIGINT NOT NULL REFERENCES treatments(treatment_id),
    token_hash      VARCHAR NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at      TIMESTAMP NOT NULL,
    created_by      VARCHAR NOT NULL,
    expires_at      TIMESTAMP NOT NULL
);

-- A link switched off (a row of its own: DuckDB cannot update a row that other tables reference).
CREATE TABLE patient_link_revocations (
    link_id         BIGINT PRIMARY KEY REFERENCES patient_links(link_id),
    revoked_at      TIMESTAMP NOT NULL,
    revoked_by      VARCHAR NOT NULL
);

-- One sending of the patient form: the answers as given (JSON), verbatim free text, the red-flag mark.
CREATE TABLE patient_submissions (
    submission_id   BIGINT PRIMARY KEY DEFAULT nextval('seq_patient_submission'),
    link_id         BIGINT NOT NULL REFERENCES patient_links(link_id),
    treatment_id    BIGINT NOT NULL REFERENCES treatments(treatment_id),
    submitted_at    TIMESTAMP NOT NULL,
    onset_date      DATE,
    answers         VARCHAR NOT NULL,
    free_text       VARCHAR CHECK (length(free_text) <= 2000),
    red_flag        BOOLEAN NOT NULL,
    form_nonce      VARCHAR NOT NULL UNIQUE
);

-- A patient-reported event (reporter: patient) awaiting a clinician; it counts nowhere until confirmed, when it
-- becomes an ordinary event (events / event_versions) with reported_by 'patient'.
CREATE TABLE patient_reports (
    report_id       BIGINT PRIMARY KEY DEFAULT nextval('seq_patient_report'),
    submission_id   BIGINT NOT NULL REFERENCES patient_submissions(submission_id),
    treatment_id    BIGINT NOT NULL REFERENCES treatments(treatment_id),
    question        VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL
);

-- Every version of a patient report: as received, as edited, confirmed (with the event it became) or rejected.
CREATE TABLE patient_report_versions (
    version_id      BIGINT PRIMARY KEY DEFAULT nextval('seq_patient_report_version'),
    report_id       BIGINT NOT NULL REFERENCES patient_reports(report_id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    status          VARCHAR NOT NULL CHECK (status IN ('received','edited','confirmed','rejected')),
    term            VARCHAR NOT NULL REFERENCES ref_terms(code),
    severity        INTEGER CHECK (severity BETWEEN 1 AND 5),
    red_flag        BOOLEAN NOT NULL,
    narrative       VARCHAR CHECK (length(narrative) <= 4000),
    event_id        BIGINT REFERENCES events(event_id),
    changed_at      TIMESTAMP NOT NULL,
    changed_by      VARCHAR NOT NULL,
    note            VARCHAR CHECK (length(note) <= 1000),
    UNIQUE (report_id, version)
);

-- Rate limit of the links: one row per try (a bucket names a link or a browser address).
CREATE TABLE patient_link_hits (
    bucket          VARCHAR NOT NULL,
    hit_at          TIMESTAMP NOT NULL,
    ok              BOOLEAN NOT NULL
);
