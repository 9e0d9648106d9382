-- q3: local item suggestion
CREATE STREAM nexmark_q3
WITH (state_ttl = '1 hour')  -- an unbounded join needs a bound on its state
AS
SELECT p.name, p.city, p.state, a.id
FROM auction AS a INNER JOIN person AS p ON a.seller = p.id
WHERE a.category = 10 AND (p.state = 'or' OR p.state = 'id' OR p.state = 'ca');
