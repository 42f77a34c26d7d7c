-- 004_signals: reviews of signals by a manager, keyed by the stable signal id (append-only: a signal that
-- recurs keeps its history; the latest review is the current one).
CREATE SEQUENCE seq_signal_review START 1;

CREATE TABLE signal_reviews (
    review_id   BIGINT PRIMARY KEY DEFAULT nextval('seq_signal_review'),
    signal_id   VARCHAR NOT NULL CHECK (length(signal_id) BETWEEN 1 AND 64),
    reviewed_at TIMESTAMP NOT NULL,
    reviewed_by VARCHAR NOT NULL,
    note        VARCHAR NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
    level       VARCHAR CHECK (level IN ('watch', 'act')),
    kind        VARCHAR,
    term        VARCHAR,
    observed    INTEGER,
    summary     VARCHAR
);

CREATE INDEX signal_reviews_signal ON signal_reviews (signal_id);
