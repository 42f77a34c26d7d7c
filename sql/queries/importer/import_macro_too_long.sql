-- Import messages: the sentence of reason too_long (spec 7.5) for column `name` holding trimmed text t.
CREATE OR REPLACE TEMP MACRO iw_too_long(name, t, most) AS
    'too_long' || chr(31) || name || ' is ' || length(t) || ' characters long; at most ' || most || ' are allowed'
