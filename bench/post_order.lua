-- wrk script for bench/http.sh: POST /api/v1/orders with a fresh Idempotency-Key per request.
--
-- Environment (set by bench/http.sh):
--   KEDAI_TOKEN    bearer token of a staff user
--   KEDAI_OUTLET   outlet id (UUID)
--   KEDAI_P1/P2    two product ids (UUIDs) (the body orders one of each: 2 items)
--   KEDAI_RUN      a nonce unique to this wrk run (keys never repeat across runs)
--
-- Keys are "<run>-<thread>-<random prefix>-<counter>": the per-thread counter makes
-- them unique within a thread, the thread number and run nonce across threads and runs.
-- Every response that is not 201 is counted; done() prints "non-201: N" and
-- "statuses: code=count ..." for bench/http.sh to parse.

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

-- Per-thread state; bad and statuses are globals so that done() can read them
-- through thread:get().
local counter = 0
local prefix
bad = 0
statuses = {}

function init(args)
  math.randomseed(os.time() * 1000 + tid)
  prefix = string.format("%s-%d-%08x", os.getenv("KEDAI_RUN") or "run", tid,
                         math.random(0, 0x7fffffff))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEDAI_TOKEN")
  wrk.body = string.format(
    '{"outlet_id":"%s","items":[{"product_id":"%s","quantity":1},{"product_id":"%s","quantity":1}]}',
    os.getenv("KEDAI_OUTLET"), os.getenv("KEDAI_P1"), os.getenv("KEDAI_P2"))
end

function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = prefix .. "-" .. counter
  return wrk.format()
end

function response(status, headers, body)
  if status ~= 201 then
    bad = bad + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total, by_code, detail = 0, {}, {}
  for _, thread in ipairs(threads) do
    total = total + (thread:get("bad") or 0)
    for code, n in pairs(thread:get("statuses") or {}) do
      by_code[code] = (by_code[code] or 0) + n
    end
  end
  for code, n in pairs(by_code) do table.insert(detail, code .. "=" .. n) end
  io.write(string.format("non-201: %d\n", total))
  io.write("statuses: " .. table.concat(detail, " ") .. "\n")
end
