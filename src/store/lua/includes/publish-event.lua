--[[
  Appends one event to the story stream, for every script that publishes (decide-article, prune-story): the
  fields every event has, in the order consumers see them (docs/CONSUMING.md), any extra field pairs, then the
  schema version and the time. MAXLEN ~ keeps the stream near stream.maxLen.
]]
local function publishEvent(stream, maxLen, kind, storyId, articleId, url, extra, version, at)
  local args = { 'XADD', stream, 'MAXLEN', '~', maxLen, '*',
    'type', kind, 'storyId', storyId, 'articleId', articleId, 'url', url }
  for _, v in ipairs(extra) do
    args[#args + 1] = v
  end
  args[#args + 1] = 'version'
  args[#args + 1] = version
  args[#args + 1] = 'at'
  args[#args + 1] = at
  return redis.call(unpack(args))
end
