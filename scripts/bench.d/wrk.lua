-- wrk script for scripts/bench.  Arguments (after `--`):
--   get PATH          GET PATH (keep-alive)
--   put PATH SIZE     PUT PATH with a SIZE-byte body (Content-Length)
--   cput PATH         container PUT: PATH-<thread>-<n>, a new container each time,
--                     empty body, X-Auth-Token (for the fan-out scenario)
-- done() prints one line that scripts/bench parses:
--   RESULT requests=N seconds=S rps=R p50_ms=.. p99_ms=.. max_ms=.. errors=E (connect read write status timeout)

local counter = 0
local threads = {}

function setup(thread)
   thread:set("tid", #threads + 1)
   table.insert(threads, thread)
end

local mode, path, req

function init(args)
   mode = args[1] or "get"
   path = args[2] or "/"
   if mode == "get" then
      wrk.method = "GET"
      req = wrk.format("GET", path)
   elseif mode == "put" then
      local size = tonumber(args[3] or "0")
      req = wrk.format("PUT", path, nil, string.rep("x", size))
   elseif mode == "cput" then
      req = nil
   else
      error("wrk.lua: unknown mode " .. tostring(mode))
   end
end

function request()
   if req then
      return req
   end
   counter = counter + 1
   return wrk.format("PUT", string.format("%s-%d-%d", path, tid or 0, counter),
                     { ["X-Auth-Token"] = "bench" }, "")
end

function done(summary, latency, requests)
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      e.connect + e.read + e.write + e.status + e.timeout,
      e.connect, e.read, e.write, e.status, e.timeout))
end
