-- wrk script for run_web_bench.sh: GET /api/v1/devices?offset=K&limit=100, K stepping through
-- every page of WEB_BENCH_PAGES pages (default 100); each thread starts at another page.
local pages = tonumber(os.getenv("WEB_BENCH_PAGES") or "100")
local next_thread = 0

function setup(thread)
  thread:set("start", next_thread * 37)
  next_thread = next_thread + 1
end

function init(args)
  n = start or 0
end

function request()
  local path = "/api/v1/devices?offset=" .. ((n % pages) * 100) .. "&limit=100"
  n = n + 1
  return wrk.format("GET", path)
end
