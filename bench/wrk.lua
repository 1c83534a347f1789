-- wrk script: signed-in requests, optional POST body, JSON figures at the end.
-- Environment: BENCH_COOKIE, BENCH_CSRF, BENCH_METHOD, BENCH_BODY, BENCH_HTMX (1: an htmx
-- request, as the page's own scripts send it), BENCH_SAVES (saving autosaves, below).
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
local htmx = os.getenv("BENCH_HTMX") == "1"
local saves = os.getenv("BENCH_SAVES")

local function headers_for_request()
  local headers = { ["Cookie"] = cookie, ["X-CSRFToken"] = csrf }
  if htmx then
    headers["HX-Request"] = "true"
  end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Referer"] = "http://127.0.0.1/"
  end
  return headers
end

-- A reply form says which comment is the newest it shows (after=N); each answer says the
-- new newest, as the page's reply box would after the swap.
local after = string.match(body, "after=(%d+)")
if after then
  response = function(status, headers, answer)
    local newest = string.match(answer or "", 'name="after" value="(%d+)"')
    if newest and tonumber(newest) > tonumber(after) then
      after = newest
    end
  end
end

-- Saving autosaves (BENCH_SAVES: a file of "id<TAB>version<TAB>form" lines, from
-- bench/load.py's prepare_saving). Each wrk thread takes half the documents and sends
-- each request for a document with none in flight, as one editor's page would: the
-- version it last saved, and a text changed again. Document k's versions are k million
-- and up, so an answer's new version says which document it saved.
documents = {}
edits = 0
if saves then
  local threads = 0
  setup = function(thread)
    thread:set("part", threads)
    threads = threads + 1
  end

  init = function(args)
    local n = 0
    for line in io.lines(saves) do
      local id, version, form = string.match(line, "^(%d+)\t(%d+)\t(.*)$")
      if id and n % 2 == part then
        table.insert(documents, { id = id, version = version, form = form, busy = false })
      end
      n = n + 1
    end
  end

  response = function(status, headers, answer)
    local version = string.match(answer or "", 'id="id_base_version" value="(%d+)"')
    if not version then
      return
    end
    local series = math.floor(tonumber(version) / 1000000)
    for _, document in ipairs(documents) do
      if math.floor(tonumber(document.version) / 1000000) == series then
        document.version, document.busy = version, false
      end
    end
  end
end

request = function()
  local headers = headers_for_request()
  if saves then
    local document = documents[1]
    for _, candidate in ipairs(documents) do
      if not candidate.busy then
        document = candidate
        break
      end
    end
    document.busy = true
    edits = edits + 1
    local form = string.gsub(document.form, "BENCHVERSION", document.version)
    form = string.gsub(form, "BENCHEDIT", part .. "-" .. edits)
    return wrk.format("POST", "/documents/" .. document.id .. "/autosave/", headers, form)
  end
  if method == "POST" then
    local sent = body
    if after then
      sent = string.gsub(body, "after=%d+", "after=" .. after)
    end
    return wrk.format("POST", nil, headers, sent)
  end
  return wrk.format("GET", nil, headers, nil)
end

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "errors": %d, "p50": %.2f, "p95": %.2f, "p99": %.2f, "bytes": %d}\n',
    summary.requests, summary.duration / 1e6, errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.bytes))
end
