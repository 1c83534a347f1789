-- wrk script: signed-in requests, optional POST body, JSON figures at the end.
-- Environment: BENCH_COOKIE, BENCH_CSRF, BENCH_METHOD, BENCH_BODY, BENCH_HTMX (1: an htmx
-- request, as the page's own scripts send it).
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
local htmx = os.getenv("BENCH_HTMX") == "1"

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

request = function()
  local headers = { ["Cookie"] = cookie, ["X-CSRFToken"] = csrf }
  if htmx then
    headers["HX-Request"] = "true"
  end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Referer"] = "http://127.0.0.1/"
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
