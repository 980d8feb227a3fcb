--[[
  Records one failure at most once per `once` key: a job that fails, is killed before BullMQ marks it done,
  and runs again must not leave two failure records.

  KEYS[1] failures stream
  KEYS[2] stats hash
  KEYS[3] once marker ('' semantics: ARGV[1] = '0' records unconditionally)
  ARGV[1] '1' to use the once marker, '0' to record every time
  ARGV[2] marker TTL, seconds
  ARGV[3] stream MAXLEN (approximate)
  ARGV[4] stats field to increment
  ARGV[5..] field/value pairs of the record

  Returns the stream id, or false when this failure was already recorded.
]]
if ARGV[1] == '1' then
  if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[2]) then
    return false
  end
end
local fields = {}
for i = 5, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', unpack(fields))
redis.call('HINCRBY', KEYS[2], ARGV[4], 1)
return id
