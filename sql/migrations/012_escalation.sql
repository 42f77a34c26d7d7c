-- 012_escalation: the outbox of red-flag notifications (sent by e-mail when the clinic configures SMTP) and the
-- regulator submissions recorded on a case (scheme, reference number, date). Portable SQL.

CREATE SEQUENCE seq_outbox START 1;
CREATE SEQUENCE seq_regulator_submission START 1;

CREATE TABLE notification_outbox (
    message_id      BIGINT PRIMARY KEY DEFAULT nextval('seq_outbox'),
    created_at      TIMESTAMP NOT NULL,
    kind            VARCHAR NOT NULL CHECK (kind IN ('red_flag')),
    treatment_id    BIGINT NOT NULL REFERENCES treatments(treatment_id),
    clinic_id       INTEGER NOT NULL REFERENCES clinics(clinic_id),
    source          VARCHAR NOT NULL CHECK (source IN ('patient', 'practitioner')),
    subject         VARCHAR NOT NULL,
    body            VARCHAR NOT NULL,
    recipient       VARCHAR,
    sent_at         TIMESTAMP,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      VARCHAR
);

CREATE TABLE regulator_submissions (
    submission_id   BIGINT PRIMARY KEY DEFAULT nextval('seq_regulator_submission'),
    event_id        BIGINT NOT NULL REFERENCES events(event_id),
    scheme          VARCHAR NOT NULL CHECK (scheme IN ('yellow_card', 'medwatch', 'other')),
    reference       VARCHAR NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
    submitted_on    DATE NOT NULL,
    recorded_at     TIMESTAMP NOT NULL,
    recorded_by     VARCHAR NOT NULL
);
