-- wrk script: POSTs one AdmissionReview (path from the REVIEW environment variable) on every
-- request of every keep-alive connection, and prints the run's figures as one JSON line
-- prefixed with "WRK_JSON " for bench/lib/bench.py to pick up.
local f = assert(io.open(os.getenv("REVIEW"), "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   non2xx = 0
   allowed_missing = 0
end

function response(status, headers, resp_body)
   if status ~= 200 then
      non2xx = non2xx + 1
   elseif not string.find(resp_body, '"allowed":', 1, true) then
      allowed_missing = allowed_missing + 1
   end
end

function done(summary, latency, requests)
   local bad, unanswered = 0, 0
   for _, t in ipairs(threads) do
      bad = bad + t:get("non2xx")
      unanswered = unanswered + t:get("allowed_missing")
   end
   local e = summary.errors
   io.write(string.format(
      'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d,"non200":%d,"no_review":%d},' ..
      '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.timeout, e.status, bad, unanswered,
      latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency:percentile(99.9), latency.max))
end
