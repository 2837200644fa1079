-- wrk script: POST one GraphQL request body over and over, and report in one machine-readable line.
-- Arguments (after `--` on wrk's command line): the body file, a file holding the Authorization
-- header's value (empty for none), and optionally a file of other headers ("Name: value" lines, e.g.
-- Accept-Encoding). Files rather than arguments keep credentials out of `ps`.

local function slurp(path)
  local file = assert(io.open(path, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

function init(args)
  wrk.method = "POST"
  wrk.body = slurp(args[1])
  wrk.headers["Content-Type"] = "application/json"
  local authorization = slurp(args[2]):gsub("%s+$", "")
  if authorization ~= "" then
    wrk.headers["Authorization"] = authorization
  end
  if args[3] then
    for name, value in slurp(args[3]):gmatch("([^:\n]+):%s*([^\n]*)\n") do
      wrk.headers[name] = value
    end
  end
end

-- Latency is in microseconds; `summary.duration` too. Printed once, after the run, by wrk's main thread.
function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"mean_us":%.1f,"max_us":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,' ..
    '"errors_status":%d,"errors_timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
