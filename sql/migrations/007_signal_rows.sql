-- 007_signal_rows: the signal run's treatment x area rows and its attributed events, kept up to date by the same
-- refresh as the trends cells (dashboard.trends.refresh; derived data, never edited by hand). Rebuilding them for
-- every run cost ~7 s at 1M treatments; a refresh appends the rows of new treatments and replaces the rows of
-- events that gained a version, and rebuilds both tables when older records changed.

-- One row per treatment x treated area with the case-mix keys (see sql/queries/signals_macro_rows.sql).
CREATE TABLE signal_rows (
    treatment_id BIGINT NOT NULL,
    clinic_id    INTEGER NOT NULL,
    injector_id  INTEGER NOT NULL,
    lot_id       INTEGER,
    product      VARCHAR NOT NULL,
    day          DATE NOT NULL,
    area         VARCHAR NOT NULL,
    units        DOUBLE,
    dose_ratio   DOUBLE,
    is_main      BOOLEAN NOT NULL,
    dose_band    INTEGER NOT NULL,
    vpp_band     INTEGER NOT NULL,
    age_band     INTEGER NOT NULL,
    sex          VARCHAR NOT NULL,
    fmask        INTEGER NOT NULL,
    cell_id      BIGINT NOT NULL
);

-- One row per current event (analysed terms only) with the treated area it is attributed to and that area's row
-- columns (see sql/queries/signals_macro_event_rows.sql); the run groups them per treatment x area x term.
CREATE TABLE signal_event_rows (
    event_id     BIGINT NOT NULL,
    treatment_id BIGINT NOT NULL,
    area         VARCHAR NOT NULL,
    term         VARCHAR NOT NULL,
    cell_id      BIGINT NOT NULL,
    injector_id  INTEGER NOT NULL,
    lot_id       INTEGER,
    clinic_id    INTEGER NOT NULL,
    day          DATE NOT NULL,
    dose_band    INTEGER NOT NULL,
    product      VARCHAR NOT NULL
);

-- What else the signal rows read (patients, risk factors, volumes, reference data): the highest patient id seen
-- and a fingerprint of those inputs at or below the marks. NULL (as in a state written before this migration)
-- makes the next refresh a full rebuild, which fills the new tables.
ALTER TABLE trends_refresh_state ADD COLUMN patient_mark BIGINT;
ALTER TABLE trends_refresh_state ADD COLUMN signal_print VARCHAR;
