-- 005_trends: pre-aggregated cells behind the manager's Trends page (derived data, rebuilt from
-- treatments, injections and events by dashboard.trends.refresh; never edited by hand).
-- Cells are additive: a refresh appends rows for new records, so the same key may appear more than
-- once and every reader sums. Portable SQL: standard types only.

-- Treatments per day x clinic x injector x product x lot (the denominator when no area is chosen).
CREATE TABLE trends_treatment_cells (
    day         DATE NOT NULL,             -- date of treatment (clinic-local)
    clinic_id   INTEGER NOT NULL,
    injector_id INTEGER NOT NULL,
    product     VARCHAR NOT NULL,
    lot_id      INTEGER,                   -- NULL when the lot was not recorded
    treatments  INTEGER NOT NULL CHECK (treatments > 0)
);

-- Treated areas per day x clinic x injector x product x lot x area: `treatments` counts the treatments
-- that treated the area (the denominator of area rates).
CREATE TABLE trends_area_cells (
    day         DATE NOT NULL,
    clinic_id   INTEGER NOT NULL,
    injector_id INTEGER NOT NULL,
    product     VARCHAR NOT NULL,
    lot_id      INTEGER,
    area        VARCHAR NOT NULL,
    treatments  INTEGER NOT NULL CHECK (treatments > 0)
);

-- The same with the area's total dose in the key (units summed over the area's injection rows, rounded to
-- 0.5 U): the dose distribution per area and product. Larger, so only the dose chart reads it.
CREATE TABLE trends_dose_cells (
    day         DATE NOT NULL,
    clinic_id   INTEGER NOT NULL,
    injector_id INTEGER NOT NULL,
    product     VARCHAR NOT NULL,
    lot_id      INTEGER,
    area        VARCHAR NOT NULL,
    dose        DOUBLE NOT NULL,
    treatments  INTEGER NOT NULL CHECK (treatments > 0)
);

-- One row per event and attributed area: the event's own area when recorded, else every area treated
-- in its treatment (NULL area when neither is known). Totals count distinct event_id.
CREATE TABLE trends_event_facts (
    event_id    BIGINT NOT NULL,
    version_id  BIGINT NOT NULL,           -- the event's latest version (event_versions.version_id)
    day         DATE NOT NULL,             -- date of the treatment the event follows
    clinic_id   INTEGER NOT NULL,
    injector_id INTEGER NOT NULL,
    product     VARCHAR NOT NULL,
    lot_id      INTEGER,
    term        VARCHAR NOT NULL,
    body_region VARCHAR NOT NULL,
    severity    INTEGER NOT NULL,
    serious     BOOLEAN NOT NULL,
    is_open     BOOLEAN NOT NULL,
    area        VARCHAR
);

-- How far the cells are built: watermarks and fingerprints of the rows at or below them.
CREATE TABLE trends_refresh_state (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    treatment_mark      BIGINT NOT NULL,
    injection_mark      BIGINT NOT NULL,
    version_mark        BIGINT NOT NULL,
    treatment_print     VARCHAR NOT NULL,
    injection_print     VARCHAR NOT NULL,
    refreshed_at        TIMESTAMP NOT NULL
);
