-- wrk script: each request adds a note to the timeline of a random incident through the API.
-- BENCH_TOKEN is an API token, BENCH_INCIDENTS the number of incidents (ids 1..N).
local token = os.getenv("BENCH_TOKEN")
local incidents = tonumber(os.getenv("BENCH_INCIDENTS"))

wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"

local body = '{"occurred_at":"2026-01-01T12:00:00Z","kind":"note","body":"Benchmark note: checked the dashboards again."}'

request = function()
  local id = math.random(1, incidents)
  return wrk.format(nil, "/api/v1/incidents/" .. id .. "/timeline", nil, body)
end
