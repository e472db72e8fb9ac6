-- pgbench script for the SQL API: revenue by product category and month over
-- the 1M line items joined to orders and products (REST twin:
-- {"measures":["line_items.revenue"],"dimensions":["products.category"],
--  "timeDimensions":[{"dimension":"orders.created_at","granularity":"month"}]}).
SELECT p.category, DATE_TRUNC('month', o.created_at) AS month, MEASURE(li.revenue)
FROM line_items li JOIN orders o ON li.order_id = o.id JOIN products p ON li.product_id = p.id
GROUP BY 1, 2 ORDER BY 2, 1;
