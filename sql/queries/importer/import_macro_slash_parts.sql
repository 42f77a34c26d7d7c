-- Import parser, `import --date-format`: the parts of a DD/MM/YYYY or MM/DD/YYYY date (see iw_slash_date) as
-- YYYY-MM-DD[THH:MM[:SS]].
CREATE OR REPLACE TEMP MACRO iw_slash_parts(p, fmt) AS
    p.y || '-' || lpad(CASE WHEN fmt = 'DD/MM/YYYY' THEN p.b ELSE p.a END, 2, '0')
    || '-' || lpad(CASE WHEN fmt = 'DD/MM/YYYY' THEN p.a ELSE p.b END, 2, '0')
    || CASE WHEN p.h = '' THEN '' ELSE 'T' || lpad(p.h, 2, '0') || ':' || p.m
                                       || CASE WHEN p.s = '' THEN '' ELSE ':' || p.s END END
