-- KEYS: the lease. ARGV: token. Deletes the lease only while it is still this holder's: 1, else 0.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
