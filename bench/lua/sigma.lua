-- wrk script for sigma's pages (bench/run.py sets the environment).
--
-- BENCH_MODE    get | login | save
-- BENCH_COOKIE  Cookie header of the logged-in session (get, save) or of the
--               anonymous CSRF cookie (login)
-- BENCH_CSRF    the form's csrfmiddlewaretoken (login, save)
-- BENCH_DATA    login: one identifiant a line; save: "pk version email" a line
-- BENCH_EXPECT  the status a correct answer has (200, or 302 for a done POST)
--
-- Every request says it came through the TLS-terminating proxy
-- (X-Forwarded-Proto), as production requests do; POSTs carry the Origin
-- their form page has, which Django's CSRF check compares over HTTPS.

local mode = os.getenv("BENCH_MODE") or "get"
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local password = os.getenv("BENCH_PASSWORD") or ""

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local function urlencode(text)
  return (string.gsub(text, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local function lines(path)
  local result = {}
  for line in io.lines(path) do
    if line ~= "" then
      table.insert(result, line)
    end
  end
  return result
end

-- This thread's share of the rows: no two threads save the same account, and
-- an account comes round again only after every other one of its share, so
-- its previous save has long been answered and its version is known.
local rows = {}
local next_row = 0

function init(args)
  wrk.headers["X-Forwarded-Proto"] = "https"
  if cookie ~= "" then
    wrk.headers["Cookie"] = cookie
  end
  if mode ~= "get" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.headers["Origin"] = "https://" .. wrk.headers["Host"]
    local all = lines(os.getenv("BENCH_DATA"))
    for index, line in ipairs(all) do
      if (index - 1) % tonumber(os.getenv("BENCH_THREADS")) == thread_index then
        table.insert(rows, line)
      end
    end
  end
  ok = 0
  unexpected = 0
  last_unexpected = 0
end

function request()
  if mode == "get" then
    return wrk.format()
  end
  next_row = next_row % #rows + 1
  local body
  local path = wrk.path
  if mode == "login" then
    body = "identifiant=" .. urlencode(rows[next_row]) .. "&password=" .. urlencode(password)
  else
    local pk, version, email = string.match(rows[next_row], "^(%d+) (%d+) (%S+)$")
    version = tonumber(version)
    -- A new first name each time, so that every save really changes the account.
    body = "civilite=madame&last_name=CHARGE&first_name=Essai" .. (version + 1)
      .. "&email=" .. urlencode(email) .. "&version=" .. version
    rows[next_row] = pk .. " " .. (version + 1) .. " " .. email
    path = "/organisme/comptes/" .. pk .. "/modifier/"
  end
  return wrk.format(nil, path, nil, body .. "&csrfmiddlewaretoken=" .. urlencode(csrf))
end

function response(status, headers, body)
  if status == expect then
    ok = ok + 1
  else
    unexpected = unexpected + 1
    last_unexpected = status
  end
end

function done(summary, latency, requests)
  local ok_total, unexpected_total, last_status = 0, 0, 0
  for _, thread in ipairs(threads) do
    ok_total = ok_total + thread:get("ok")
    unexpected_total = unexpected_total + thread:get("unexpected")
    if thread:get("last_unexpected") ~= 0 then
      last_status = thread:get("last_unexpected")
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"ok": %d, "unexpected": %d, "last_unexpected_status": %d, '
      .. '"socket_errors": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    ok_total, unexpected_total, last_status,
    errors.connect + errors.read + errors.write + errors.timeout
  ))
end
