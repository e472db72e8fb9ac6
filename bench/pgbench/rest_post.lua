-- wrk script: POST the REST twin of a pgbench script to /cubejs-api/v1/load.
-- STRATA_QUERY holds the query JSON, STRATA_TOKEN the Authorization value.
wrk.method = "POST"
wrk.body = os.getenv("STRATA_QUERY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("STRATA_TOKEN")
