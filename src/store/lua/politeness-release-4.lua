-- KEYS: leases zset, retry-after, gate hash, crawl-delay. ARGV: now ('' = TIME), token, retryAfterMs ('' = none),
-- interval. The next start also waits one interval after this request *ended*: a request that reached the host late
-- (its worker was busy between grant and send) still gets a full interval before the next one.
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
redis.call('ZREM', KEYS[1], ARGV[2])
local interval = tonumber(ARGV[4]) or 0
local crawl = tonumber(redis.call('GET', KEYS[4]) or '0') or 0
if crawl > interval then interval = crawl end
if interval > 0 then
  local nextAt = tonumber(redis.call('HGET', KEYS[3], 'next') or '0') or 0
  if now + interval > nextAt then
    redis.call('HSET', KEYS[3], 'next', now + interval)
    if redis.call('PTTL', KEYS[3]) < interval + 60000 then redis.call('PEXPIRE', KEYS[3], interval + 60000) end
  end
end
local ms = tonumber(ARGV[3])
if ms and ms > 0 then
  local untilAt = now + ms
  local current = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
  if untilAt > current then redis.call('SET', KEYS[2], untilAt, 'PX', ms) end
end
return 1
