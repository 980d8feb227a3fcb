--[[
  Stores one article and publishes its event, atomically and at most once.
  A re-run job (BullMQ is at-least-once) finds the URL key taken and publishes nothing.

  KEYS[1] article key        (JSON of the article)
  KEYS[2] URL index key      (URL key hash -> article id)
  KEYS[3] stream             (public event stream)
  KEYS[4] articles-by-time   (sorted set: article id by store time)
  ARGV[1] article id
  ARGV[2] article JSON
  ARGV[3] url
  ARGV[4] time, ms since epoch
  ARGV[5] ISO time for the event
  ARGV[6] stream MAXLEN (approximate)
  ARGV[7] event schema version

  Returns { 1, streamId } when stored, { 0, existingId } when the URL key was already stored.
]]
local existing = redis.call('GET', KEYS[2])
if existing then
  return { 0, existing }
end
if redis.call('SET', KEYS[1], ARGV[2], 'NX') == false then
  return { 0, ARGV[1] }
end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
local streamId = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*',
  'type', 'story.created',
  'storyId', ARGV[1],
  'articleId', ARGV[1],
  'url', ARGV[3],
  'version', ARGV[7],
  'at', ARGV[5])
return { 1, streamId }
