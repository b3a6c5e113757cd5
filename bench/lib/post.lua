-- wrk script: POST the AdmissionReview in $BENCH_BODY_FILE to the path given
-- on the command line (keep-alive, one request at a time per connection).
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, */*"
