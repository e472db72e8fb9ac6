-- pgbench script for the SQL API: orders counted by status (semantic query;
-- REST twin: {"measures":["orders.count"],"dimensions":["orders.status"]}).
SELECT status, MEASURE(count) FROM orders GROUP BY 1 ORDER BY 2 DESC;
