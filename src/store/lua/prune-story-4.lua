--[[
  Removes one story whose last activity is older than the retention, whole and at once (issue 11): its
  hash, member list, member records, by-time entries; its URL keys become tombstones (value `~`, expiring after
  retention.urls), so a URL still listed in a feed is not fetched again; a `story.expired` event is published;
  its members' bodies go on the body GC list (another slot: the pruner deletes them next).
  Nothing is removed while the story is active: a member that joined since the caller looked keeps it.

  KEYS[1] the story hash             <base>story:<storyId>
  KEYS[2] event stream               <base>articles
  KEYS[3] stories by creation time   <base>stories:by-time
  KEYS[4] articles by store time     <base>articles:by-time
  ARGV[1] base: the key prefix including the hash tag
  ARGV[2] storyId
  ARGV[3] cutoff (ms): the story goes only when its last activity is before it
  ARGV[4] tombstone lifetime (ms)
  ARGV[5] event time (ISO 8601)
  ARGV[6] stream MAXLEN (approximate)
  ARGV[7] event schema version
  ARGV[8] JSON array of extra URL key hashes of the members (same-site redirect targets and canonicals)
  ARGV[9] '1' for a dry run: say what would go, remove nothing

  Returns { verdict, members } with verdict 'expired' | 'active' | 'missing' | 'merged'.
]]
--- @include "publish-event"

local base = ARGV[1]
local storyId = ARGV[2]
local cutoff = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])

local f = redis.call('HMGET', KEYS[1], 'updated', 'created', 'mergedInto', 'rep')
if f[3] then
  return { 'merged', 0 }
end
local last = tonumber(f[1]) or tonumber(f[2])
if not last then
  -- An index entry without its story (a half-finished removal cannot happen; a hand-deleted key can).
  if ARGV[9] ~= '1' then
    redis.call('ZREM', KEYS[3], storyId)
  end
  return { 'missing', 0 }
end
if last >= cutoff then
  return { 'active', 0 }
end

local members = redis.call('ZRANGE', KEYS[1] .. ':m', 0, -1)
if ARGV[9] == '1' then
  return { 'expired', #members }
end

local isMember = {}
for _, id in ipairs(members) do
  isMember[id] = true
end
local function tombstone(urlKey)
  local v = redis.call('GET', urlKey)
  if v and isMember[v] then
    redis.call('SET', urlKey, '~', 'PX', ttl)
  end
end

local repUrl = ''
for _, id in ipairs(members) do
  local json = redis.call('GET', base .. 'art:' .. id)
  if json and id == f[4] then
    local ok, m = pcall(cjson.decode, json)
    if ok and type(m) == 'table' and type(m.url) == 'string' then
      repUrl = m.url
    end
  end
  redis.call('DEL', base .. 'art:' .. id)
  redis.call('ZREM', KEYS[4], id)
  -- An article's id is the hash of its URL key.
  tombstone(base .. 'url:' .. id)
end
for _, h in ipairs(cjson.decode(ARGV[8])) do
  tombstone(base .. 'url:' .. h)
end
-- Bodies live in their own slots (`{b:<articleId>}`): the members go on the body GC list, which the pruner
-- drains right after this pass (src/store/story-store.ts collectBodies). Score 0: nothing of theirs is current.
for _, id in ipairs(members) do
  redis.call('ZADD', base .. 'bodies:gc', 0, id)
end
-- `:body` is where a body was stored before bodies moved out of this slot.
redis.call('DEL', KEYS[1], KEYS[1] .. ':m', KEYS[1] .. ':body')
redis.call('ZREM', KEYS[3], storyId)

publishEvent(KEYS[2], ARGV[6], 'story.expired', storyId, f[4] or storyId, repUrl,
  { 'members', (#members > 0 and cjson.encode(members)) or '[]' }, ARGV[7], ARGV[5])
return { 'expired', #members }
