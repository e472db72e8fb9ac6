-- psql against the SQL API over the shop fixture; run_pgwire.sh compares the
-- output with psql_session.out. Answers (by hand from the seed): 6 orders,
-- 465.00 in total; completed 3 / 370.00, pending 2 / 65.00, cancelled 1 / 30.00;
-- by month in UTC Jan 3, Feb 2, Mar 1; in New York Dec 1, Jan 2, Feb 2, Mar 1.
\pset null '(null)'

-- The issue's example.
SELECT status, MEASURE(count), MEASURE(total_amount) FROM orders WHERE created_at >= '2024-01-01' GROUP BY 1 ORDER BY 3 DESC LIMIT 10;

-- Aggregates matching the measure types.
SELECT COUNT(*) AS orders, SUM(total_amount) AS revenue, AVG(average_amount) AS average FROM orders;

-- A time dimension with a granularity.
SELECT DATE_TRUNC('month', created_at) AS month, COUNT(*) FROM orders GROUP BY 1 ORDER BY 1;

-- A join along the model's joins; a segment; a view.
SELECT u.city, MEASURE(o.count) AS orders FROM orders o JOIN users u ON o.user_id = u.id GROUP BY 1 ORDER BY 1;
SELECT MEASURE(count) AS completed_orders FROM orders WHERE completed;
SELECT orders_status, MEASURE(revenue) FROM sales GROUP BY 1 ORDER BY 2 DESC;

-- Richer SQL, finished in the embedded DuckDB.
SELECT status, c, rank() OVER (ORDER BY c DESC) AS rank FROM (SELECT status, MEASURE(count) AS c FROM orders GROUP BY 1) t ORDER BY 3;
WITH s AS (SELECT status, SUM(total_amount) AS t FROM orders GROUP BY 1) SELECT status, round(100 * t / (SELECT SUM(total_amount) FROM orders), 1) AS pct FROM s ORDER BY 2 DESC;

-- The session time zone is the query time zone.
SET TimeZone = 'America/New_York';
SELECT DATE_TRUNC('month', created_at) AS month, COUNT(*) FROM orders GROUP BY 1 ORDER BY 1;
RESET TimeZone;
SHOW TimeZone;

-- psql's catalog commands.
\dt
\dv
\d orders

-- Errors, and a connection that stays usable.
SELECT nope FROM orders;
SELECT * FROM nowhere;
SELECT status FROM orders WHERE;
SELECT SUM(count) FROM orders;
BEGIN;
SELECT nope FROM orders;
SELECT 1;
ROLLBACK;
SELECT MEASURE(count) AS still_usable FROM orders;
