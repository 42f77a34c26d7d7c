-- 001_core: clinics, staff, patients, products/lots, treatments, injections, adverse events
-- (append-only versions), imports and quarantine, audit trail, reference tables.
-- Portable SQL: standard types, sequences, CHECK/FK constraints. Applied in one transaction.

CREATE SEQUENCE seq_clinic START 1;
CREATE SEQUENCE seq_injector START 1;
CREATE SEQUENCE seq_patient START 1;
CREATE SEQUENCE seq_lot START 1;
CREATE SEQUENCE seq_treatment START 1;
CREATE SEQUENCE seq_injection START 1;
CREATE SEQUENCE seq_event START 1;
CREATE SEQUENCE seq_event_version START 1;
CREATE SEQUENCE seq_import START 1;
CREATE SEQUENCE seq_quarantine START 1;
CREATE SEQUENCE seq_audit START 1;

-- ---------------------------------------------------------------- reference data (loaded by init)
CREATE TABLE ref_products (
    code            VARCHAR PRIMARY KEY CHECK (code IN ('ona','inco','prabot','leti','abo','daxi')),
    inn             VARCHAR NOT NULL,
    brand           VARCHAR NOT NULL,
    factor_vs_ona   DOUBLE NOT NULL CHECK (factor_vs_ona > 0),
    conc_u_per_0_1ml DOUBLE,
    label_ml_per_100u DOUBLE,
    use_within_h    INTEGER,
    vial_sizes      VARCHAR NOT NULL
);

CREATE TABLE ref_areas (
    code        VARCHAR PRIMARY KEY CHECK (code IN ('glabella','forehead','lateral_canthal','bunny_lines',
                 'gummy_smile','perioral','dao','mentalis','masseter','platysma','axillary_hyperhidrosis')),
    name        VARCHAR NOT NULL,
    region      VARCHAR NOT NULL,
    muscles     VARCHAR NOT NULL,
    points_lo   INTEGER,
    points_hi   INTEGER,
    chart_x     DOUBLE NOT NULL,
    chart_y     DOUBLE NOT NULL,
    placement_rules VARCHAR
);

CREATE TABLE ref_area_doses (
    area        VARCHAR NOT NULL REFERENCES ref_areas(code),
    product     VARCHAR NOT NULL REFERENCES ref_products(code),
    usual_lo    DOUBLE NOT NULL CHECK (usual_lo > 0),
    usual_hi    DOUBLE NOT NULL,
    label_total DOUBLE,
    per_point_lo DOUBLE,
    per_point_hi DOUBLE,
    basis       VARCHAR NOT NULL,
    PRIMARY KEY (area, product),
    CHECK (usual_hi >= usual_lo)
);

CREATE TABLE ref_terms (
    code            VARCHAR PRIMARY KEY,
    plain_name      VARCHAR NOT NULL,
    preferred_term  VARCHAR NOT NULL,
    soc             VARCHAR,
    body_region     VARCHAR NOT NULL,
    graded          BOOLEAN NOT NULL,
    is_process      BOOLEAN NOT NULL,
    grade1 VARCHAR, grade2 VARCHAR, grade3 VARCHAR, grade4 VARCHAR, grade5 VARCHAR,
    placement_areas VARCHAR NOT NULL,   -- comma-separated area codes ('' when none)
    placement_note  VARCHAR
);

CREATE TABLE ref_area_events (
    area        VARCHAR NOT NULL REFERENCES ref_areas(code),
    term        VARCHAR NOT NULL REFERENCES ref_terms(code),
    p           DOUBLE NOT NULL CHECK (p >= 0 AND p <= 1),
    p_lo        DOUBLE,
    p_hi        DOUBLE,
    severity_min INTEGER NOT NULL DEFAULT 1,
    onset_min   DOUBLE NOT NULL,
    onset_lo    DOUBLE NOT NULL,
    onset_hi    DOUBLE NOT NULL,
    onset_max   DOUBLE NOT NULL,
    dur_lo      DOUBLE NOT NULL,
    dur_hi      DOUBLE NOT NULL,
    dur_max     DOUBLE NOT NULL,
    dose_dependent BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (area, term, severity_min)
);

CREATE TABLE ref_risk_factors (
    code            VARCHAR PRIMARY KEY,
    label           VARCHAR NOT NULL,
    explanation     VARCHAR NOT NULL,
    contraindication BOOLEAN NOT NULL,
    related_terms   VARCHAR NOT NULL
);

-- ---------------------------------------------------------------- master data
CREATE TABLE clinics (
    clinic_id   INTEGER PRIMARY KEY DEFAULT nextval('seq_clinic'),
    name        VARCHAR NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200)
);

CREATE TABLE injectors (
    injector_id INTEGER PRIMARY KEY DEFAULT nextval('seq_injector'),
    name        VARCHAR NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200)
);

CREATE TABLE patients (
    patient_id  BIGINT PRIMARY KEY DEFAULT nextval('seq_patient'),
    patient_ref VARCHAR NOT NULL UNIQUE CHECK (length(patient_ref) BETWEEN 1 AND 200),
    birth_year  INTEGER CHECK (birth_year BETWEEN 1900 AND 2200),
    sex         VARCHAR CHECK (sex IN ('F','M','X','U'))
);

CREATE TABLE lots (
    lot_id      INTEGER PRIMARY KEY DEFAULT nextval('seq_lot'),
    product     VARCHAR NOT NULL REFERENCES ref_products(code),
    lot_number  VARCHAR NOT NULL CHECK (length(lot_number) BETWEEN 1 AND 200),
    UNIQUE (product, lot_number)
);

-- ---------------------------------------------------------------- imports, quarantine, audit
CREATE TABLE imports (
    import_id   BIGINT PRIMARY KEY DEFAULT nextval('seq_import'),
    source      VARCHAR NOT NULL,
    actor       VARCHAR NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    rows_read   INTEGER NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    imported    INTEGER NOT NULL DEFAULT 0 CHECK (imported >= 0),
    quarantined INTEGER NOT NULL DEFAULT 0 CHECK (quarantined >= 0),
    unchanged   INTEGER NOT NULL DEFAULT 0 CHECK (unchanged >= 0),
    summary     VARCHAR
);

CREATE TABLE quarantine (
    quarantine_id BIGINT PRIMARY KEY DEFAULT nextval('seq_quarantine'),
    import_id   BIGINT NOT NULL REFERENCES imports(import_id),
    file        VARCHAR NOT NULL,
    line        INTEGER NOT NULL CHECK (line >= 1),
    raw         VARCHAR NOT NULL,          -- JSON object of the raw cell values
    reasons     VARCHAR NOT NULL,          -- comma-separated reason codes
    messages    VARCHAR NOT NULL           -- human sentences, '; '-separated
);

CREATE TABLE audit_log (
    audit_id    BIGINT PRIMARY KEY DEFAULT nextval('seq_audit'),
    occurred_at TIMESTAMP NOT NULL,
    actor       VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,
    entity      VARCHAR,
    entity_id   VARCHAR,
    detail      VARCHAR                    -- JSON text
);

-- ---------------------------------------------------------------- treatments and injections
CREATE TABLE treatments (
    treatment_id    BIGINT PRIMARY KEY DEFAULT nextval('seq_treatment'),
    clinic_id       INTEGER NOT NULL REFERENCES clinics(clinic_id),
    treatment_ref   VARCHAR NOT NULL CHECK (length(treatment_ref) BETWEEN 1 AND 200),
    treated_at      TIMESTAMP NOT NULL,    -- clinic-local wall time
    patient_id      BIGINT NOT NULL REFERENCES patients(patient_id),
    injector_id     INTEGER NOT NULL REFERENCES injectors(injector_id),
    product         VARCHAR NOT NULL REFERENCES ref_products(code),
    lot_id          INTEGER REFERENCES lots(lot_id),
    vial_units      INTEGER CHECK (vial_units BETWEEN 1 AND 1000),
    diluent_ml      DECIMAL(6,2) CHECK (diluent_ml > 0 AND diluent_ml <= 20),
    reconstituted_at TIMESTAMP,
    alcohol_48h                 BOOLEAN,
    anticoagulant               BOOLEAN,
    interacting_medication      BOOLEAN,
    prior_toxin_90d             BOOLEAN,
    allergy_history             BOOLEAN,
    allergy_test_done           BOOLEAN,
    neuromuscular_disorder      BOOLEAN,
    pregnant_or_breastfeeding   BOOLEAN,
    skin_infection_at_site      BOOLEAN,
    aftercare_lay_down_4h       BOOLEAN,
    aftercare_heat_or_exercise  BOOLEAN,
    warnings_confirmed VARCHAR,            -- warnings the practitioner confirmed at entry
    override_reason    VARCHAR CHECK (length(override_reason) <= 500),
    import_id       BIGINT REFERENCES imports(import_id),
    client_token    VARCHAR UNIQUE,        -- idempotency key of a form submission
    created_at      TIMESTAMP NOT NULL,
    created_by      VARCHAR NOT NULL,
    UNIQUE (clinic_id, treatment_ref)
);

CREATE TABLE injections (
    injection_id    BIGINT PRIMARY KEY DEFAULT nextval('seq_injection'),
    treatment_id    BIGINT NOT NULL REFERENCES treatments(treatment_id),
    area            VARCHAR NOT NULL REFERENCES ref_areas(code),
    side            VARCHAR NOT NULL DEFAULT 'B' CHECK (side IN ('L','R','B','C')),
    point           VARCHAR CHECK (length(point) <= 200),
    units           DECIMAL(8,2) NOT NULL CHECK (units > 0 AND units <= 1000),
    points          INTEGER CHECK (points >= 1 AND points <= 200),
    volume_ml       DECIMAL(7,3) CHECK (volume_ml > 0 AND volume_ml <= 50),
    depth           VARCHAR CHECK (depth IN ('intradermal','subcutaneous','intramuscular','supraperiosteal'))
);

-- ---------------------------------------------------------------- adverse events (append-only versions)
CREATE TABLE events (
    event_id        BIGINT PRIMARY KEY DEFAULT nextval('seq_event'),
    clinic_id       INTEGER NOT NULL REFERENCES clinics(clinic_id),
    event_ref       VARCHAR NOT NULL CHECK (length(event_ref) BETWEEN 1 AND 200),
    treatment_id    BIGINT NOT NULL REFERENCES treatments(treatment_id),
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (clinic_id, event_ref)
);

CREATE TABLE event_versions (
    version_id      BIGINT PRIMARY KEY DEFAULT nextval('seq_event_version'),
    event_id        BIGINT NOT NULL REFERENCES events(event_id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    term            VARCHAR NOT NULL REFERENCES ref_terms(code),
    onset_at        TIMESTAMP NOT NULL,
    severity        INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5),
    serious         BOOLEAN NOT NULL DEFAULT FALSE,
    seriousness     VARCHAR CHECK (seriousness IN ('death','life_threatening','hospitalisation','disability',
                                                   'congenital_anomaly','medically_important')),
    outcome         VARCHAR NOT NULL DEFAULT 'unknown' CHECK (outcome IN ('recovered','recovering','not_recovered',
                                                   'recovered_with_sequelae','fatal','unknown')),
    resolved_at     TIMESTAMP,
    side            VARCHAR CHECK (side IN ('L','R','B','C')),
    area            VARCHAR REFERENCES ref_areas(code),
    causality       VARCHAR CHECK (causality IN ('certain','probable','possible','unlikely','conditional','unassessable')),
    action_taken    VARCHAR CHECK (length(action_taken) <= 500),
    reported_by     VARCHAR CHECK (length(reported_by) <= 200),
    reported_at     TIMESTAMP NOT NULL,
    narrative       VARCHAR CHECK (length(narrative) <= 4000),
    changed_at      TIMESTAMP NOT NULL,
    changed_by      VARCHAR NOT NULL,
    change_note     VARCHAR CHECK (length(change_note) <= 1000),
    import_id       BIGINT REFERENCES imports(import_id),
    client_token    VARCHAR UNIQUE,
    UNIQUE (event_id, version),
    CHECK (NOT serious OR seriousness IS NOT NULL),
    CHECK (resolved_at IS NULL OR resolved_at >= onset_at)
);

-- The current state of every event: its latest version.
CREATE VIEW events_current AS
SELECT e.event_id, e.clinic_id, e.event_ref, e.treatment_id, e.created_at,
       v.version, v.term, v.onset_at, v.severity, v.serious, v.seriousness, v.outcome, v.resolved_at,
       v.side, v.area, v.causality, v.action_taken, v.reported_by, v.reported_at, v.narrative,
       v.changed_at, v.changed_by
FROM events e
JOIN event_versions v ON v.event_id = e.event_id
JOIN (SELECT event_id, max(version) AS version FROM event_versions GROUP BY event_id) m
  ON m.event_id = v.event_id AND m.version = v.version;

CREATE TABLE settings (
    key     VARCHAR PRIMARY KEY,
    value   VARCHAR NOT NULL
);
