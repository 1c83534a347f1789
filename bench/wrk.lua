-- wrk script: signed-in requests, optional POST body, JSON figures at the end.
-- Environment: BENCH_COOKIE, BENCH_CSRF, BENCH_METHOD, BENCH_BODY, BENCH_HTMX (1: an htmx
-- request, as the page's own scripts send it), BENCH_SAVES (saving autosaves, below),
-- BENCH_REPLIES (replies, each in a thread of its own, below).
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
local htmx = os.getenv("BENCH_HTMX") == "1"
local saves = os.getenv("BENCH_SAVES")
local replies = os.getenv("BENCH_REPLIES")

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

-- Whether a document or thread below has no request in flight. An answer frees what it
-- names; one that names nothing (an error, a timeout) frees nothing, so what is busy for
-- longer than wrk's timeout (2 s) is taken to be free again.
local function idle(item)
  return not item.busy or os.time() - item.busy > 2
end

-- The first of the items with none in flight (the first of all if every one is), now busy.
local function take(items)
  local chosen = items[1]
  for _, candidate in ipairs(items) do
    if idle(candidate) then
      chosen = candidate
      break
    end
  end
  chosen.busy = os.time()
  return chosen
end

-- Each wrk thread takes its part (0 or 1) of the documents or threads below.
if saves or replies then
  local started = 0
  setup = function(thread)
    thread:set("part", started)
    started = started + 1
  end
end

-- This wrk thread's part of ``items``: every other one, or all of them when there is
-- only one (both wrk threads then share it: a shared thread takes both threads'
-- replies; a shared draft has half its saves refused as stale, counted as errors).
local function part_of(items)
  local mine = {}
  for i, item in ipairs(items) do
    if (i - 1) % 2 == part then
      table.insert(mine, item)
    end
  end
  if #mine == 0 then
    return items
  end
  return mine
end

-- Saving autosaves (BENCH_SAVES: a file of "id<TAB>version<TAB>form" lines, from
-- bench/load.py's prepare_saving). Each wrk thread takes half the documents and sends
-- each request for a document with none in flight, as one editor's page would: the
-- version it last saved, and a text changed again. Document k's versions are k million
-- and up, so an answer's new version says which document it saved.
documents = {}
edits = 0
if saves then
  init = function(args)
    local all = {}
    for line in io.lines(saves) do
      local id, version, form = string.match(line, "^(%d+)\t(%d+)\t(.*)$")
      if id then
        table.insert(all, { id = id, version = version, form = form, busy = false })
      end
    end
    documents = part_of(all)
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

-- Replies (BENCH_REPLIES: "thread:newest" pairs, comma-separated, from bench/load.py's
-- replying_threads). Each wrk thread takes half the threads and sends each reply to a
-- thread with none in flight, saying the newest comment that thread's page shows, as one
-- person replying in each would; the answer names its thread (its reply box) and the new
-- newest. The path's thread is replaced.
threads = {}
if replies then
  init = function(args)
    local all = {}
    for pk, newest in string.gmatch(replies, "(%d+):(%d+)") do
      table.insert(all, { pk = pk, after = newest, busy = false })
    end
    threads = part_of(all)
  end

  response = function(status, headers, answer)
    local pk = string.match(answer or "", 'id="reply%-(%d+)"')
    local newest = string.match(answer or "", 'name="after" value="(%d+)"')
    for _, thread in ipairs(threads) do
      if thread.pk == pk then
        thread.busy = false
        if newest and tonumber(newest) > tonumber(thread.after) then
          thread.after = newest
        end
      end
    end
  end
end

local function reply_request(headers)
  local thread = take(threads)
  local path = string.gsub(wrk.path, "/threads/%d+/", "/threads/" .. thread.pk .. "/")
  local sent = string.gsub(body, "after=%d+", "after=" .. thread.after)
  return wrk.format("POST", path, headers, sent)
end

request = function()
  local headers = headers_for_request()
  if saves then
    local document = take(documents)
    edits = edits + 1
    local form = string.gsub(document.form, "BENCHVERSION", document.version)
    form = string.gsub(form, "BENCHEDIT", part .. "-" .. edits)
    return wrk.format("POST", "/documents/" .. document.id .. "/autosave/", headers, form)
  end
  if replies then
    return reply_request(headers)
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
