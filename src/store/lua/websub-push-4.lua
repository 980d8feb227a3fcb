--[[
  Stores one WebSub delivery for the poll worker, within the feed's bounds (issue 12): at most ARGV[6]
  deliveries stored per window of ARGV[7] ms, and at most ARGV[8] bytes waiting at once. A delivery past either
  is not stored; the caller polls the feed instead. All keys carry the feed's hash tag (one Cluster slot).

  KEYS[1] the delivery (hash {body, contentType, bytes}); expires after ARGV[9] ms
  KEYS[2] the feed's delivery window (hash {w: window start ms, n: deliveries stored in it})
  KEYS[3] the feed's waiting deliveries (sorted set: '<bytes>:<delivery key>' → expiry ms)
  KEYS[4] the feed's subscription hash (counters pushes, pushesDeferred; lastPushAt)
  ARGV[1] body
  ARGV[2] content type
  ARGV[3] body size in bytes
  ARGV[4] now, ms
  ARGV[5] the member naming this delivery in KEYS[3] ('<bytes>:<KEYS[1]>')
  ARGV[6] deliveries per window
  ARGV[7] window, ms
  ARGV[8] bytes that may wait at once
  ARGV[9] how long a stored delivery waits, ms

  Returns 'stored', 'rate' (too many in the window), 'bytes' (too many bytes waiting) or 'gone' (the
  subscription was forgotten meanwhile: nothing written).
]]
if redis.call('EXISTS', KEYS[4]) == 0 then
  return 'gone'
end
local bytes, now, window, ttl = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[7]), tonumber(ARGV[9])
redis.call('HSET', KEYS[4], 'lastPushAt', ARGV[4])

local q = redis.call('HMGET', KEYS[2], 'w', 'n')
local start, n = tonumber(q[1]) or 0, tonumber(q[2]) or 0
if now - start >= window then
  start, n = now, 0
end
-- Deliveries read by a poll worker left the set then; those that expired unread leave it now.
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local waiting = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  waiting = waiting + (tonumber(string.match(m, '^(%d+):')) or 0)
end

local verdict = 'stored'
if n >= tonumber(ARGV[6]) then
  verdict = 'rate'
elseif waiting + bytes > tonumber(ARGV[8]) then
  verdict = 'bytes'
end
if verdict == 'stored' then
  redis.call('HSET', KEYS[1], 'body', ARGV[1], 'contentType', ARGV[2], 'bytes', bytes)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('ZADD', KEYS[3], now + ttl, ARGV[5])
  redis.call('PEXPIRE', KEYS[3], ttl)
  redis.call('HINCRBY', KEYS[4], 'pushes', 1)
  n = n + 1
else
  redis.call('HINCRBY', KEYS[4], 'pushesDeferred', 1)
end
redis.call('HSET', KEYS[2], 'w', start, 'n', n)
redis.call('PEXPIRE', KEYS[2], window)
return verdict
