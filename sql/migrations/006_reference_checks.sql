-- 006_reference_checks: product and area codes on treatments, injections and event versions are checked
-- against the fixed code lists (the same lists ref_products and ref_areas are checked against: interchange
-- spec section 4), and import ids are no longer foreign keys.
-- Why: DuckDB backs every foreign key with an index that is maintained on insert and rewritten at each
-- checkpoint. On a column with a handful of distinct values (6 products, 11 areas, one import id per import)
-- that index cost ~2.3 s of CPU per million rows: ~8 s of a 1M-treatment import, for constraints a CHECK
-- gives as well (a new product or area code already needs a migration of ref_products/ref_areas). Import
-- ids are written only by the importer, in the same transaction as their imports row, which is never deleted.
-- The event term keeps its foreign key to ref_terms (terms are not a fixed list; events are few).
-- DuckDB cannot drop a constraint, so the four tables are rebuilt with their rows, ids and sequences intact.

CREATE TABLE m006_treatments AS SELECT * FROM treatments;
CREATE TABLE m006_injections AS SELECT * FROM injections;
CREATE TABLE m006_events AS SELECT * FROM events;
CREATE TABLE m006_event_versions AS SELECT * FROM event_versions;

DROP VIEW events_current;
DROP TABLE event_versions;
DROP TABLE events;
DROP TABLE injections;
DROP TABLE treatments;

CREATE TABLE treatments (
    treatment_id    BIGINT PRIMARY KEY DEFAULT nextval('seq_treatment'),
    clinic_id       INTEGER NOT NULL REFERENCES clinics(clinic_id),
    treatment_ref   VARCHAR NOT NULL CHECK (length(treatment_ref) BETWEEN 1 AND 200),
    treated_at      TIMESTAMP NOT NULL,    -- clinic-local wall time
    patient_id      BIGINT NOT NULL REFERENCES patients(patient_id),
    injector_id     INTEGER NOT NULL REFERENCES injectors(injector_id),
    product         VARCHAR NOT NULL CHECK (product IN ('ona','inco','prabot','leti','abo','daxi')),
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
    import_id       BIGINT,               -- the import that stored the row (importer only)
    client_token    VARCHAR UNIQUE,        -- idempotency key of a form submission
    created_at      TIMESTAMP NOT NULL,
    created_by      VARCHAR NOT NULL,
    UNIQUE (clinic_id, treatment_ref)
);

CREATE TABLE injections (
    injection_id    BIGINT PRIMARY KEY DEFAULT nextval('seq_injection'),
    treatment_id    BIGINT NOT NULL REFERENCES treatments(treatment_id),
    area            VARCHAR NOT NULL CHECK (area IN ('glabella','forehead','lateral_canthal','bunny_lines',
                        'gummy_smile','perioral','dao','mentalis','masseter','platysma','axillary_hyperhidrosis')),
    side            VARCHAR NOT NULL DEFAULT 'B' CHECK (side IN ('L','R','B','C')),
    point           VARCHAR CHECK (length(point) <= 200),
    units           DECIMAL(8,2) NOT NULL CHECK (units > 0 AND units <= 1000),
    points          INTEGER CHECK (points >= 1 AND points <= 200),
    volume_ml       DECIMAL(7,3) CHECK (volume_ml > 0 AND volume_ml <= 50),
    depth           VARCHAR CHECK (depth IN ('intradermal','subcutaneous','intramuscular','supraperiosteal'))
);

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
    area            VARCHAR CHECK (area IN ('glabella','forehead','lateral_canthal','bunny_lines',
                        'gummy_smile','perioral','dao','mentalis','masseter','platysma','axillary_hyperhidrosis')),
    causality       VARCHAR CHECK (causality IN ('certain','probable','possible','unlikely','conditional','unassessable')),
    action_taken    VARCHAR CHECK (length(action_taken) <= 500),
    reported_by     VARCHAR CHECK (length(reported_by) <= 200),
    reported_at     TIMESTAMP NOT NULL,
    narrative       VARCHAR CHECK (length(narrative) <= 4000),
    changed_at      TIMESTAMP NOT NULL,
    changed_by      VARCHAR NOT NULL,
    change_note     VARCHAR CHECK (length(change_note) <= 1000),
    import_id       BIGINT,               -- the import that stored the row (importer only)
    client_token    VARCHAR UNIQUE,
    UNIQUE (event_id, version),
    CHECK (NOT serious OR seriousness IS NOT NULL),
    CHECK (resolved_at IS NULL OR resolved_at >= onset_at)
);

INSERT INTO treatments SELECT * FROM m006_treatments ORDER BY treatment_id;
INSERT INTO injections SELECT * FROM m006_injections ORDER BY injection_id;
INSERT INTO events SELECT * FROM m006_events ORDER BY event_id;
INSERT INTO event_versions SELECT * FROM m006_event_versions ORDER BY version_id;

DROP TABLE m006_event_versions;
DROP TABLE m006_events;
DROP TABLE m006_injections;
DROP TABLE m006_treatments;

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
