-- pgbench script for the SQL API: a small query (REST twin:
-- {"measures":["products.count"],"dimensions":["products.category"]}).
SELECT category, MEASURE(count) FROM products GROUP BY 1 ORDER BY 2 DESC;
