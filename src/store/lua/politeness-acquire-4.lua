-- KEYS: gate hash, leases zset, retry-after, crawl-delay.
-- ARGV: now ('' = TIME), interval, maxInFlight, lease, token, inlineLimit, continuation ('1'/'0').
-- A wait up to inlineLimit is returned as is for the caller to sit out in-process — always for a continuation, and
-- for one new-fetch caller at a time (fields inlineBy/inlineUntil); any other wait takes the next place in line.
-- Returns {granted, waitMs, why, inline} with why 0 = interval, 1 = in-flight, 2 = retry-after.
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local interval = tonumber(ARGV[2])
local maxInFlight = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
local crawl = tonumber(redis.call('GET', KEYS[4]) or '0') or 0
if crawl > interval then interval = crawl end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local nextAt = tonumber(redis.call('HGET', KEYS[1], 'next') or '0') or 0
local tail = tonumber(redis.call('HGET', KEYS[1], 'tail') or '0') or 0
local retryUntil = tonumber(redis.call('GET', KEYS[3]) or '0') or 0
local inFlight = redis.call('ZCARD', KEYS[2])
if now >= nextAt and now >= retryUntil and inFlight < maxInFlight then
  redis.call('HSET', KEYS[1], 'next', now + interval)
  if redis.call('HGET', KEYS[1], 'inlineBy') == ARGV[5] then redis.call('HDEL', KEYS[1], 'inlineBy', 'inlineUntil') end
  redis.call('ZADD', KEYS[2], now + lease, ARGV[5])
  redis.call('PEXPIRE', KEYS[2], lease + 1000)
  redis.call('PEXPIRE', KEYS[1], math.max(interval, tail - now, 0) + 60000)
  return {1, 0, 0, 0}
end
local why = 0
local wake = nextAt
if retryUntil > wake then
  wake = retryUntil
  why = 2
end
if wake <= now then
  wake = now + math.max(interval, 100)
  why = 1
end
if wake - now <= (tonumber(ARGV[6]) or 0) then
  if ARGV[7] == '1' then return {0, wake - now, why, 1} end
  local inlineUntil = tonumber(redis.call('HGET', KEYS[1], 'inlineUntil') or '0') or 0
  if inlineUntil <= now or redis.call('HGET', KEYS[1], 'inlineBy') == ARGV[5] then
    -- The claim outlives the wake-up by a little, covering the waiter's own latency in asking again.
    -- The in-process waiter holds that place in line: deferred callers are staggered after it.
    redis.call('HSET', KEYS[1], 'inlineBy', ARGV[5], 'inlineUntil', wake + 250, 'tail', math.max(tail, wake))
    redis.call('PEXPIRE', KEYS[1], (wake - now) + 60000)
    return {0, wake - now, why, 1}
  end
end
if tail + interval > wake then wake = tail + interval end
redis.call('HSET', KEYS[1], 'tail', wake)
redis.call('PEXPIRE', KEYS[1], (wake - now) + 60000)
return {0, wake - now, why, 0}
