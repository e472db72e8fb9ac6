-- The shop demo's data: deterministic (hash-based, no random()) so every
-- machine generates the same rows. Scale: getvariable('line_items'), the
-- number of line items (default 1,000,000); the other tables follow it.
-- Orders span two years: 2024-01-01 to 2025-12-31 (UTC).
SET VARIABLE n_items = coalesce(getvariable('line_items'), 1000000);
SET VARIABLE n_orders = greatest(getvariable('n_items') // 4, 1);
SET VARIABLE n_users = greatest(getvariable('n_items') // 40, 1);
SET VARIABLE n_products = 500;

-- u(i, salt): a uniform number in [0, 1) from a row number and a salt.
CREATE OR REPLACE MACRO u(i, salt) AS (hash(i * 7919 + salt) % 1000000) / 1000000.0;

CREATE OR REPLACE TABLE users AS
SELECT
  i AS id,
  'user_' || i AS name,
  (['New York', 'San Francisco', 'Los Angeles', 'Chicago', 'Austin', 'Seattle', 'Boston',
    'Denver', 'Miami', 'Portland', 'London', 'Berlin', 'Paris', 'Madrid', 'Tokyo', 'Sydney',
    'Toronto', 'Mexico City', 'São Paulo', 'Mumbai'])[1 + floor(u(i, 1) * 20)::INTEGER] AS city,
  (['organic', 'ads', 'referral', 'social'])[1 + floor(u(i, 2) * 4)::INTEGER] AS channel,
  TIMESTAMP '2023-01-01' + to_seconds(floor(u(i, 3) * 730 * 86400)::BIGINT) AS created_at
FROM range(1, getvariable('n_users') + 1) t(i);

CREATE OR REPLACE TABLE products AS
SELECT
  i AS id,
  'product_' || i AS name,
  (['books', 'electronics', 'garden', 'toys', 'kitchen', 'sports', 'music', 'beauty'])
    [1 + floor(u(i, 11) * 8)::INTEGER] AS category,
  CAST(1 + floor(u(i, 12) * 19900) / 100 AS DECIMAL(10, 2)) AS price
FROM range(1, getvariable('n_products') + 1) t(i);

CREATE OR REPLACE TABLE orders AS
SELECT
  i AS id,
  1 + floor(u(i, 21) * getvariable('n_users'))::BIGINT AS user_id,
  CASE
    WHEN u(i, 22) < 0.70 THEN 'completed'
    WHEN u(i, 22) < 0.80 THEN 'shipped'
    WHEN u(i, 22) < 0.90 THEN 'processing'
    ELSE 'cancelled'
  END AS status,
  TIMESTAMP '2024-01-01' + to_seconds(floor(u(i, 23) * 731 * 86400)::BIGINT) AS created_at
FROM range(1, getvariable('n_orders') + 1) t(i);

CREATE OR REPLACE TABLE line_items AS
SELECT
  i AS id,
  1 + floor(u(i, 31) * getvariable('n_orders'))::BIGINT AS order_id,
  p.id AS product_id,
  1 + floor(u(i, 33) * 5)::INTEGER AS quantity,
  p.price AS price
FROM range(1, getvariable('n_items') + 1) t(i)
JOIN products p ON p.id = 1 + floor(u(i, 32) * getvariable('n_products'))::BIGINT;

DROP MACRO u;
CHECKPOINT;
