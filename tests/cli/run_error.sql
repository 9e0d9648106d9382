-- laminardb run must stop at the error on line 9 (exit status 1) after printing the output of
-- the statements before it.
CREATE SOURCE s (x BIGINT, ts TIMESTAMP);
CREATE STREAM doubled AS SELECT x * 2 AS y FROM s;

INSERT INTO s VALUES (1, TIMESTAMP '2024-01-01 00:00:00');

CREATE STREAM broken AS
SELECT x, nope FROM s;

INSERT INTO s VALUES (2, TIMESTAMP '2024-01-01 00:00:01');
