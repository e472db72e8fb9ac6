-- The cold tier: 10M events over the two years before the hot window, in DuckDB.
CREATE OR REPLACE TABLE events AS
SELECT i + 1000000 AS id,
       CAST(1 + hash(i) % 200000 AS BIGINT) AS user_id,
       (['view','cart','buy','refund'])[CAST(1 + hash(i * 7) % 4 AS BIGINT)] AS kind,
       CAST((hash(i * 13) % 100000) / 100.0 AS DECIMAL(12,2)) AS amount,
       date_trunc('day', now()::TIMESTAMP) - INTERVAL 30 DAY - INTERVAL 730 DAY
         + to_seconds(CAST(hash(i * 31) % (730 * 86400) AS BIGINT)) AS created_at
FROM range(1, 10000001) t(i);
CHECKPOINT;
