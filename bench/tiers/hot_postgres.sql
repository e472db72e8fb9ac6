-- The hot tier: 1M events over the last 30 days, in PostgreSQL.
CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint, kind text,
                     amount numeric(12,2), created_at timestamp);
INSERT INTO events
SELECT i,
       1 + (hashint8(i) & 2147483647) % 200000,
       (ARRAY['view','cart','buy','refund'])[1 + (hashint8(i * 7) & 2147483647) % 4],
       ((hashint8(i * 13) & 2147483647) % 100000) / 100.0,
       date_trunc('day', now() AT TIME ZONE 'UTC') - interval '30 days'
         + ((hashint8(i * 31) & 2147483647) % (30 * 86400)) * interval '1 second'
FROM generate_series(1, 1000000) AS t(i);
ANALYZE events;
