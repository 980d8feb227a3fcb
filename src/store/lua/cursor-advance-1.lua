-- KEYS: a numeric cursor. ARGV: the new value. Moves the cursor forward only, so replicas sweeping the same set
-- never move it back past what another already covered.
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > c then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
