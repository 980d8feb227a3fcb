--[[
  One dedupe decision for one extracted article: claim its URL key, find the story it belongs to (cheapest
  key first), join or found that story, name its representative and publish the events. The body is not
  written here: it lives in its own slot (`{b:<articleId>}`, src/store/keys.ts), so a cluster spreads bodies over
  its primaries; the caller writes it after this decision, then deletes the bodies this decision dropped
  (src/store/story-store.ts). Dropped bodies also go on the body GC list (<base>bodies:gc), which the pruner
  drains when a caller died between the two steps. Redis runs a script without interleaving other commands, so extractors racing on copies of one
  story are serialized here and the later one always sees the earlier one's keys.

  All reads happen before the first write: a script that fails half-way does not roll back, so nothing is
  written unless the decision is complete. Every key lives under ARGV[1], which carries the hash tag, so a
  decision touches one Redis Cluster slot (keys built here share the tag of the declared KEYS).

  KEYS[1] this article's URL key      <base>url:<urlHash>
  KEYS[2] event stream                <base>articles
  KEYS[3] stories by creation time    <base>stories:by-time
  KEYS[4] this page's publisher entry <base>pub:<publisherKey(own name)> (<base>pub:- when it declares none)
  ARGV[1] base: the key prefix including the hash tag
  ARGV[2] decision JSON (DecisionPayload in src/store/story-store.ts)
  ARGV[3] MinHash signature, 4 bytes per permutation, big-endian ('' when the text is too short)
  ARGV[4] member JSON: the metadata every member keeps

  Returns { kind, articleId, storyId, relation, representativeChanged, via, storeBody, dropped }
    kind: 'created' | 'joined' | 'exists' (the URL key was already taken: nothing written, nothing published)
    storeBody: 1 when this article represents its story, so its body must be stored (also on 'exists': a retry
      of a decision whose body write was lost repairs it)
    dropped: space-separated ids of articles that no longer represent a story: their bodies can go
]]
--- @include "publish-event"

local base = ARGV[1]
local p = cjson.decode(ARGV[2])
local sig = ARGV[3]
local id = p.id

local function k(s)
  return base .. s
end

-- A member is one JSON string (its metadata plus storyId and relation), so readers need no Lua-specific layout.
local function memberOf(articleId)
  local json = redis.call('GET', k('art:' .. articleId))
  if json then
    return cjson.decode(json)
  end
  return nil
end

local function storyOf(articleId)
  local m = memberOf(articleId)
  if m and type(m.storyId) == 'string' then
    return m.storyId
  end
  return nil
end

local function setRelation(articleId, relation)
  local m = memberOf(articleId)
  if m then
    m.relation = relation
    redis.call('SET', k('art:' .. articleId), cjson.encode(m))
  end
end

-- 0. A re-run job, or a URL variant that got past the poller: nothing new.
local existing = redis.call('GET', KEYS[1])
if existing then
  local sId = storyOf(existing) or ''
  local represents = 0
  if existing == id and sId ~= '' and redis.call('HGET', k('story:' .. sId), 'rep') == id then
    represents = 1
  end
  return { 'exists', existing, sId, 'same-url', 0, 'url', represents, '' }
end

local function jaccard(a, b)
  if #a == 0 or #a ~= #b then
    return 0
  end
  local eq = 0
  for i = 1, #a, 4 do
    if string.sub(a, i, i + 3) == string.sub(b, i, i + 3) then
      eq = eq + 1
    end
  end
  return eq / (#a / 4)
end

local function wordSet(s)
  local set, n = {}, 0
  for w in string.gmatch(s or '', '%S+') do
    if not set[w] then
      set[w] = true
      n = n + 1
    end
  end
  return set, n
end

-- Templated stories (prices, scores, dividend notices) share their wording and differ in their facts — numbers
-- and names (normalize.ts factTokens): most facts of the text with fewer of them must appear in the other. A
-- copy's facts are (nearly) a subset of its original's, or the other way round when the copy adds some.
local function factsAgree(a, b)
  local sa, na = wordSet(a)
  local sb, nb = wordSet(b)
  if na == 0 and nb == 0 then
    return true
  end
  if na == 0 or nb == 0 then
    return math.max(na, nb) <= 2
  end
  local inter = 0
  for w in pairs(sa) do
    if sb[w] then
      inter = inter + 1
    end
  end
  -- Both with facts of their own, however many they share (exchange, board, month): siblings of a template.
  local function own(n)
    return n - inter >= math.max(p.ownFacts, p.ownFactsShare * n)
  end
  if own(na) and own(nb) then
    return false
  end
  return inter / math.max(1, math.min(na, nb)) >= p.numbersContainment
end

-- How text A (nA shingles, facts factsA) relates to text B, or nil when it is not a copy of it. Every relation
-- by similarity needs the facts to agree: a long template filled with other names or figures can reach any
-- Jaccard (equal texts join by their body hash, before this).
local function relationBetween(j, nA, factsA, nB, factsB)
  local rel = nil
  if j >= p.jaccard then
    rel = 'near-duplicate'
  else
    local small, large = math.min(nA, nB), math.max(nA, nB)
    if small > 0 and small <= p.shortRatio * large then
      local containment = math.min(1, j * (nA + nB) / ((1 + j) * small))
      if containment >= p.containment then
        rel = nA < nB and 'excerpt-copy' or 'near-duplicate'
      end
    end
    if not rel and j >= p.editedJaccard then
      rel = 'near-duplicate'
    end
  end
  if rel and not factsAgree(factsA, factsB) then
    return nil
  end
  return rel
end

-- This text's paragraphs as stored with its signature: "<hash8>:<tokens> …" (8 hex of each paragraph hash are
-- plenty to tell one text's paragraphs apart).
local function paraField()
  local out = {}
  for i, h in ipairs(p.paras) do
    out[#out + 1] = string.sub(h, 1, 8) .. ':' .. (p.paraTokens[i] or 0)
  end
  return table.concat(out, ' ')
end

-- Similarity that only whole paragraphs both texts carry verbatim explain, while a good part of the smaller
-- text is other paragraphs that share next to nothing: boilerplate both carry (an issuer's "About …" and
-- forward-looking statements, before the site's boilerplate counts know it), not a copy. A copy shares its
-- original's paragraphs (an excerpt, an inserted line: the smaller text is nearly all shared) or edits them
-- (not verbatim, yet similar); two releases share the boilerplate paragraphs and nothing else.
-- Sizes in tokens ≈ shingles; the overlap in shingles is estimated from the Jaccard of the signatures.
-- This text's paragraphs by short hash, built once per decision (up to p.maxCandidates candidates ask).
local myParas = nil
local function sharedOnly(j, nOther, parOther)
  if not parOther or parOther == '' or #p.paras == 0 then
    return false
  end
  if not myParas then
    myParas = {}
    for i, h in ipairs(p.paras) do
      myParas[string.sub(h, 1, 8)] = p.paraTokens[i] or 0
    end
  end
  local common, counted = 0, {}
  for h, c in string.gmatch(parOther, '(%x+):(%d+)') do
    local mine = myParas[h]
    if mine and not counted[h] then
      common = common + math.min(mine, tonumber(c))
      counted[h] = true
    end
  end
  if common == 0 then
    return false
  end
  local small = math.min(p.shingles, nOther)
  local rest = small - common
  if rest < p.restShare * small then
    return false
  end
  local overlap = j * (p.shingles + nOther) / (1 + j)
  return overlap - common < p.restOverlap * rest
end

-- How a candidate text relates to this one, or nil when it is not a copy.
local function confirm(j, nOther, factsOther)
  return relationBetween(j, p.shingles, p.facts, nOther, factsOther)
end

-- Inside one site, equal text under different titles is a shared stub or template, not a copy.
local function titledAlike(th)
  for _, t in ipairs(p.titles) do
    if t == th then
      return true
    end
  end
  return false
end

local function sameSiteOk(cand)
  local f = redis.call('HMGET', k('sig:' .. cand), 'dom', 'th')
  return f[1] ~= p.domain or titledAlike(f[2])
end

-- The same rule for the story a candidate belongs to: a story whose original is a page of this site under
-- another title is another story of this site, even when a copy elsewhere carries the shared text (an issuer's
-- second press release matches the first one's republication on its boilerplate). Copies do not count: an
-- aggregator may carry two versions of one story under two headlines. The first p.maxMerge members are read.
-- Answers are kept for this decision: the body, lead and MinHash candidates often lead to the same story.
local siteOkOf = {}
local function storySiteOk(s)
  if p.domain == '' then
    return true
  end
  if siteOkOf[s] ~= nil then
    return siteOkOf[s]
  end
  local ok = true
  for _, mid in ipairs(redis.call('ZRANGE', k('story:' .. s .. ':m'), 0, p.maxMerge - 1)) do
    local f = redis.call('HMGET', k('sig:' .. mid), 'dom', 'th')
    if f[1] == p.domain and f[2] and f[2] ~= '' and not titledAlike(f[2]) then
      local m = memberOf(mid)
      if m and m.relation == 'original' then
        ok = false
        break
      end
    end
  end
  siteOkOf[s] = ok
  return ok
end

-- The story of a content-key candidate, when the site rules allow joining it.
local function contentStory(cand)
  local s = cand and sameSiteOk(cand) and storyOf(cand)
  if s and storySiteOk(s) then
    return s
  end
  return nil
end

local storyId, rel, via, matched = nil, nil, nil, nil
local isOriginal = false
local awaitUrl, awaitTitle = nil, nil

-- 1. Another address of a page already stored (redirect target, same-site canonical).
for _, h in ipairs(p.aliases) do
  local other = redis.call('GET', k('url:' .. h))
  local s = other and storyOf(other)
  if s then
    storyId, rel, via, matched = s, 'same-url', 'url', other
    break
  end
end

-- The page's claim to its own publisher name (og:site_name / JSON-LD publisher). The table maps a name to one
-- domain and lets a claim replace the learned domain only when it is better corroborated (p.pubStrength, or
-- enough pages of the domain); a claim that does not hold neither teaches the table nor answers for the name.
-- Names pinned in config are decided in the plan (p.pubPinned) and never learned.
local pubHolds, pubWrite, pubStr = false, nil, 0
if p.pubKey ~= '' then
  if p.pubPinned ~= '' then
    pubHolds = p.pubPinned == 'yes'
  else
    local cur = redis.call('HMGET', KEYS[4], 'dom', 'str', 'n:' .. p.domain)
    local held = tonumber(cur[2]) or 0
    pubStr = p.pubStrength
    if pubStr < p.pubSeveralPages and (tonumber(cur[3]) or 0) + 1 >= p.pubMinPages then
      pubStr = p.pubSeveralPages
    end
    if cur[1] == p.domain then
      pubHolds, pubWrite = true, 'refresh'
      pubStr = math.max(pubStr, held)
    elseif not p.attributed and pubStr >= p.pubSeveralPages and (not cur[1] or pubStr > held) then
      pubHolds, pubWrite = true, 'take'
    elseif not p.attributed then
      pubWrite = 'count'
    end
    -- A copy (it credits another page) teaches nothing, but still answers for a name its domain holds.
    if p.attributed and pubWrite == 'refresh' then
      pubWrite = nil
    end
  end
end

-- The story a copy reserved for the original it names ('u:<urlHash>' or 't:<site and title>'), if any, and the
-- member that reserved it. The value is '<storyId> <memberId>' (a bare '<storyId>' before the member was kept).
local awaitedBy = nil
local function awaited(key)
  local v = redis.call('GET', k('await:' .. key))
  if not v then
    return nil
  end
  local s, m = string.match(v, '^(%S+) (%S+)$')
  if s then
    awaitedBy = m
    return s
  end
  return v
end

-- 2. A copy already named this page as its original: by address, or by site and title.
if not storyId then
  storyId = awaited('u:' .. p.urlHash)
  if not storyId and pubHolds then
    for _, t in ipairs(p.awaitTitles) do
      storyId = awaited('t:' .. t)
      if storyId then
        break
      end
    end
  end
  if storyId then
    rel, via, isOriginal = 'original', 'attribution', true
  end
end

-- 3. This page names its original: the story of the stored original (storedKey names it), else the story
--    another copy reserved for it; with neither, this page will reserve awaitKey (returned).
local function followOriginal(storedKey, awaitPrefix, awaitKey)
  local oid = storedKey and redis.call('GET', k(storedKey))
  if oid then
    storyId, matched = storyOf(oid), oid
  end
  if not storyId then
    storyId = awaited(awaitPrefix .. awaitKey)
  end
  if storyId then
    via = 'attribution'
    return nil
  end
  return awaitKey
end
if not storyId and p.origHash ~= '' then
  awaitUrl = followOriginal('url:' .. p.origHash, 'u:', p.origHash)
end
if not storyId and p.origHash == '' and p.origPublisher ~= '' and p.origTitle ~= '' then
  local dom = p.origDomain
  if dom == '' then
    dom = redis.call('HGET', k('pub:' .. p.origPubKey), 'dom')
  end
  awaitTitle = followOriginal(dom and ('title:' .. dom .. ':' .. p.origTitle), 't:', p.origAwait)
end

-- Content keys are read even when a stronger key already found the story: a text matching another story
-- too bridges two stories that were founded apart (an excerpt and an edited copy of one original share
-- too little text to find each other), and those are merged below.
local content = {}

-- 4. Exact body.
if p.bodyHash ~= '' then
  local cand = redis.call('GET', k('body:' .. p.bodyHash))
  local s = contentStory(cand)
  if s then
    content[#content + 1] = { story = s, rel = 'syndicated-copy', via = 'body', cand = cand, j = 1 }
  end
end

-- 5. Lead: an excerpt matches its original on the lead alone; two full texts must also be similar.
if p.leadHash ~= '' then
  local cand = redis.call('GET', k('lead:' .. p.leadHash))
  local s = contentStory(cand)
  if s then
    local f = redis.call('HMGET', k('sig:' .. cand), 's', 'n')
    local n = tonumber(f[2]) or 0
    local j = f[1] and jaccard(sig, f[1]) or nil
    local short = p.excerpt or (n > 0 and math.min(n, p.shingles) <= p.shortRatio * math.max(n, p.shingles))
    if short or (j and j >= p.editedJaccard) then
      local r = 'syndicated-copy'
      if p.shingles < n then
        r = 'excerpt-copy'
      end
      content[#content + 1] = { story = s, rel = r, via = 'lead', cand = cand, n = n, j = j }
    end
  end
end

-- 6. Near-duplicate: candidates from the LSH buckets, confirmed on the signatures. The best similarity
--    leads, ties by the smaller story id, so the outcome does not depend on set iteration order.
-- Buckets are fields of small hashes, one hash per (period, band, first 2 hex of the band key): a few
-- thousand keys in all instead of one key per bucket. The current and the previous period are read.
-- A bucket holds at most p.maxBucket ids: one more and it becomes FULL (boilerplate shared by many texts,
-- never read again), so no field grows past ~maxBucket × 33 bytes however many texts share it.
local FULL = '*'
local function lshKey(period, band, h)
  return k(p.lshPrefix .. period .. ':' .. (band - 1) .. ':' .. string.sub(h, 1, 2))
end

if #p.bands > 0 then
  local seen, checked = {}, 0
  local confirmed = {}
  local function consider(cand)
    if cand == id or seen[cand] or checked >= p.maxCandidates then
      return
    end
    seen[cand] = true
    checked = checked + 1
    local f = redis.call('HMGET', k('sig:' .. cand), 's', 'n', 'num', 'par')
    if not f[1] then
      return
    end
    local j, n = jaccard(sig, f[1]), tonumber(f[2]) or 0
    local kind = confirm(j, n, f[3])
    if kind and sharedOnly(j, n, f[4]) then
      kind = nil
    end
    local s = kind and contentStory(cand)
    if s then
      confirmed[#confirmed + 1] = { story = s, rel = kind, via = 'minhash', cand = cand, j = j, n = n, num = f[3] }
    end
  end
  for b, h in ipairs(p.bands) do
    for back = 0, 1 do
      local ids = redis.call('HGET', lshKey(p.lshPeriod - back, b, h), string.sub(h, 3))
      -- A bucket shared by very many texts holds boilerplate, not copies: it is not read.
      if ids and ids ~= FULL and (#ids + 1) / (#id + 1) <= p.maxBucket then
        for cand in string.gmatch(ids, '%S+') do
          consider(cand)
        end
      end
    end
  end
  table.sort(confirmed, function(a, b)
    if a.j ~= b.j then
      return a.j > b.j
    end
    if a.story ~= b.story then
      return a.story < b.story
    end
    return a.cand < b.cand
  end)
  for _, c in ipairs(confirmed) do
    content[#content + 1] = c
  end
end

-- What a stored member is to this page: the relation it would have been given had this page been stored
-- first, so a member demoted by a later original is called what arrival in the other order would call it.
local function relationOfMember(memberId)
  for _, c in ipairs(content) do
    if c.cand == memberId then
      if c.via == 'body' then
        return 'syndicated-copy'
      elseif c.via == 'lead' then
        if c.n < p.shingles then
          return 'excerpt-copy'
        end
        return 'syndicated-copy'
      end
      return relationBetween(c.j, c.n, c.num, p.shingles, p.facts)
    end
  end
  return nil
end

local similarity = nil
if not storyId and content[1] then
  storyId, rel, via, matched = content[1].story, content[1].rel, content[1].via, content[1].cand
  similarity = content[1].j
end

-- A story merged into another answers with the survivor (an await key may still name the old id).
local function live(sId)
  for _ = 1, 16 do
    local into = redis.call('HGET', k('story:' .. sId), 'mergedInto')
    if not into then
      return sId
    end
    sId = into
  end
  return sId
end
if storyId then
  storyId = live(storyId)
end

-- Other stories this text also matches: merged into this one (not for another address of a known page).
local mergeIds = {}
if storyId and rel ~= 'same-url' then
  local seenStory = { [storyId] = true }
  for _, c in ipairs(content) do
    local s = live(c.story)
    if not seenStory[s] then
      seenStory[s] = true
      mergeIds[#mergeIds + 1] = s
    end
  end
  table.sort(mergeIds)
end

-- A story's representative and original, or nil when the story hash is gone.
local function readStory(sId)
  local f = redis.call('HMGET', k('story:' .. sId), 'rep', 'repCls', 'repPub', 'repN', 'orig', 'origMember')
  if not f[1] then
    return nil
  end
  return {
    rep = f[1],
    repCls = tonumber(f[2]) or 1,
    repPub = tonumber(f[3]) or 0,
    repN = tonumber(f[4]) or 0,
    orig = f[5] or '',
    origMember = f[6] or '',
  }
end

local story = nil
if storyId then
  story = readStory(storyId)
  if story and story.orig == p.urlHash then
    isOriginal, rel = true, 'original'
  end
end

-- A page that names an original is a copy, however its story was found.
if p.attributed and rel ~= 'same-url' and rel ~= 'original' then
  if p.excerpt or (story and story.repN > 0 and p.shingles > 0 and p.shingles < p.shortRatio * story.repN) then
    rel = 'excerpt-copy'
  else
    rel = 'syndicated-copy'
  end
end
rel = rel or 'original'

---------------------------------------------------------------------------------------------------------
-- Writes.
---------------------------------------------------------------------------------------------------------
local window = p.windowMs
redis.call('SET', KEYS[1], id)
for _, h in ipairs(p.aliases) do
  redis.call('SET', k('url:' .. h), id, 'NX')
end
redis.call('ZADD', k('articles:by-time'), p.nowMs, id)

if rel ~= 'same-url' then
  if sig ~= '' then
    redis.call('HSET', k('sig:' .. id), 's', sig, 'n', p.shingles, 'num', p.facts, 'par', paraField(),
      'dom', p.domain, 'th', p.titles[1] or '')
    -- A signature lives as long as the buckets that point to it.
    redis.call('PEXPIRE', k('sig:' .. id), 2 * p.lshPeriodMs)
    -- A period's hashes expire when the next period ends: an entry is found for one to two windows.
    local ttl = (p.lshPeriod + 2) * p.lshPeriodMs - p.nowMs
    for b, h in ipairs(p.bands) do
      local key, field = lshKey(p.lshPeriod, b, h), string.sub(h, 3)
      local ids = redis.call('HGET', key, field)
      if not ids then
        redis.call('HSET', key, field, id)
      elseif ids ~= FULL and not string.find(' ' .. ids .. ' ', ' ' .. id .. ' ', 1, true) then
        if (#ids + 1) / (#id + 1) >= p.maxBucket then
          redis.call('HSET', key, field, FULL)
        else
          redis.call('HSET', key, field, ids .. ' ' .. id)
        end
      end
      redis.call('PEXPIRE', key, ttl)
    end
  end
  if p.bodyHash ~= '' then
    redis.call('SET', k('body:' .. p.bodyHash), id, 'NX', 'PX', window)
  end
  if p.leadHash ~= '' then
    redis.call('SET', k('lead:' .. p.leadHash), id, 'NX', 'PX', window)
  end
  for _, th in ipairs(p.titles) do
    redis.call('SET', k('title:' .. p.domain .. ':' .. th), id, 'NX', 'PX', window)
  end
  -- The publisher table (see the claim above): counts of pages per claiming domain (a bounded number of
  -- domains), the entry taken or refreshed by a claim that holds. An entry lives p.pubTtlMs from the last
  -- page of its domain; counts for other domains do not keep it alive.
  if pubWrite then
    local field = 'n:' .. p.domain
    if pubWrite ~= 'count' or redis.call('HEXISTS', KEYS[4], field) == 1
        or redis.call('HLEN', KEYS[4]) < p.pubMaxDomains then
      redis.call('HINCRBY', KEYS[4], field, 1)
    end
    if pubWrite == 'count' then
      if redis.call('PTTL', KEYS[4]) < 0 then
        redis.call('PEXPIRE', KEYS[4], p.pubTtlMs)
      end
    else
      redis.call('HSET', KEYS[4], 'dom', p.domain, 'str', pubStr, 'name', p.siteKey, 'at', p.nowMs)
      redis.call('PEXPIRE', KEYS[4], p.pubTtlMs)
    end
  end
end

local function publish(kind, sId, articleId, url)
  return publishEvent(KEYS[2], p.maxLen, kind, sId, articleId, url, {}, p.eventVersion, p.at)
end

local cls = 1
if isOriginal then
  cls = 0
end
local pub = p.publishedMs
if pub < 0 then
  pub = 9e15
end

-- Why the article is in its story (`newsflow stories explain`): the key that found the story, the member it
-- matched and, for content keys, the estimated Jaccard similarity of the two texts.
local function saveMember(sId, relation, score)
  local m = cjson.decode(ARGV[4])
  m.id = id
  m.storyId = sId
  m.relation = relation
  -- The member it matched: the page it was compared with or names, else the copy that reserved its story. Only
  -- the evidence shown: `matched` alone drives the decision (a copy reserving an original is not that original).
  m.match = { via = via or 'new', articleId = matched or awaitedBy, similarity = similarity }
  redis.call('SET', k('art:' .. id), cjson.encode(m))
  redis.call('ZADD', k('story:' .. sId .. ':m'), score, id)
end

-- This page's paragraphs count toward its site's boilerplate: a paragraph the site used in another story is left
-- out of later pages' signatures (src/dedupe/fingerprint.ts). The hash lives as long as the content keys; past
-- p.maxParas fields it takes no new paragraph, so one site's share of memory is bounded.
local function countParagraphs()
  if #p.paras == 0 or p.domain == '' or rel == 'same-url' then
    return
  end
  -- Another page of the same story on the same site (an update under a new address) is not a repeat: counts are
  -- per story of the site, so two versions of one story never make its paragraphs boilerplate.
  if matched and redis.call('HGET', k('sig:' .. matched), 'dom') == p.domain then
    return
  end
  local key = k('bp:' .. p.domain)
  if redis.call('HLEN', key) < p.maxParas then
    for _, h in ipairs(p.paras) do
      redis.call('HINCRBY', key, h, 1)
    end
  end
  redis.call('PEXPIRE', key, window)
end

-- The original this copy names is not stored yet: its story waits for it under the await key.
local function reserveOriginal()
  if awaitUrl then
    redis.call('SET', k('await:u:' .. awaitUrl), storyId .. ' ' .. id, 'NX', 'PX', window)
  end
  if awaitTitle then
    redis.call('SET', k('await:t:' .. awaitTitle), storyId .. ' ' .. id, 'NX', 'PX', window)
  end
end

if not story then
  storyId, via, matched, similarity, awaitedBy = id, 'new', nil, nil, nil
  redis.call('HSET', k('story:' .. storyId),
    'rep', id, 'repCls', cls, 'repPub', pub, 'repN', p.shingles,
    'orig', awaitUrl or awaitTitle or '', 'origMember', (rel == 'original' and id) or '',
    'n', 1, 'created', p.nowMs, 'updated', p.nowMs)
  redis.call('ZADD', KEYS[3], p.nowMs, storyId)
  saveMember(storyId, rel, 1)
  reserveOriginal()
  countParagraphs()
  publish('story.created', storyId, id, p.url)
  return { 'created', id, storyId, rel, 0, 'new', 1, '' }
end

local skey = k('story:' .. storyId)

-- Articles whose bodies this decision makes garbage (a representative replaced, a merged story's loser). The
-- caller deletes them once the new body is stored; the GC list keeps them until then.
local dropped = {}
local function drop(articleId)
  if articleId and articleId ~= '' then
    dropped[#dropped + 1] = articleId
    redis.call('ZADD', k('bodies:gc'), p.nowMs, articleId)
  end
end

local function ranksBefore(a, b)
  if a.repCls ~= b.repCls then
    return a.repCls < b.repCls
  end
  if a.repPub ~= b.repPub then
    return a.repPub < b.repPub
  end
  return a.rep < b.rep
end

-- Merge another story into this one: its members move (a story.member_added each), the better
-- representative keeps its body, the other body is deleted, and the old id resolves to this story.
local repMoved = false
local function absorb(otherId)
  local okey = k('story:' .. otherId)
  local other = readStory(otherId)
  if not other then
    return
  end
  local ids = redis.call('ZRANGE', okey .. ':m', 0, -1)
  if #ids > p.maxMerge then
    return
  end
  for _, mid in ipairs(ids) do
    local m = memberOf(mid)
    if m then
      m.storyId = storyId
      redis.call('SET', k('art:' .. mid), cjson.encode(m))
      local n = redis.call('HINCRBY', skey, 'n', 1)
      redis.call('ZADD', skey .. ':m', n, mid)
      publish('story.member_added', storyId, mid, m.url or '')
    end
  end
  if ranksBefore(other, story) then
    drop(story.rep)
    -- Bodies stored before they moved out of this slot (story:<id>:body) move with their story.
    if redis.call('EXISTS', okey .. ':body') == 1 then
      redis.call('RENAME', okey .. ':body', skey .. ':body')
    end
    redis.call('HSET', skey, 'prevRep', story.rep)
    story.rep, story.repCls, story.repPub, story.repN = other.rep, other.repCls, other.repPub, other.repN
    redis.call('HSET', skey, 'rep', story.rep, 'repCls', story.repCls, 'repPub', story.repPub, 'repN', story.repN)
    repMoved = true
  else
    drop(other.rep)
    redis.call('DEL', okey .. ':body')
  end
  if other.orig ~= '' then
    for _, prefix in ipairs({ 'await:u:', 'await:t:' }) do
      local ak = k(prefix .. other.orig)
      local v = redis.call('GET', ak)
      local s, by = string.match(v or '', '^(%S+) ?(%S*)$')
      if s == otherId then
        redis.call('SET', ak, by ~= '' and (storyId .. ' ' .. by) or storyId, 'KEEPTTL')
      end
    end
    if story.orig == '' then
      story.orig = other.orig
      redis.call('HSET', skey, 'orig', story.orig)
    end
  end
  -- One member is called the original: the one that represents, else the one already here.
  if other.origMember ~= '' then
    if story.origMember == '' then
      story.origMember = other.origMember
    elseif story.origMember ~= other.origMember then
      local keep, drop = story.origMember, other.origMember
      if other.origMember == story.rep then
        keep, drop = other.origMember, story.origMember
      end
      setRelation(drop, 'near-duplicate')
      story.origMember = keep
    end
    redis.call('HSET', skey, 'origMember', story.origMember)
  end
  redis.call('DEL', okey, okey .. ':m')
  redis.call('HSET', okey, 'mergedInto', storyId)
  redis.call('ZREM', KEYS[3], otherId)
end

for _, otherId in ipairs(mergeIds) do
  absorb(otherId)
end
if repMoved then
  local m = memberOf(story.rep)
  publish('story.updated', storyId, story.rep, (m and m.url) or '')
end
if story.orig == p.urlHash and not isOriginal then
  isOriginal, rel, cls = true, 'original', 0
end

local n = redis.call('HINCRBY', skey, 'n', 1)
saveMember(storyId, rel, n)
redis.call('HSET', skey, 'updated', p.nowMs)
reserveOriginal()
-- A founder is called the original only for want of a credit: the first credit naming another page ends that.
if p.attributed and story.orig == '' and story.origMember ~= ''
    and not (via == 'attribution' and matched == story.origMember) then
  setRelation(story.origMember, relationOfMember(story.origMember) or 'near-duplicate')
  story.origMember = ''
  redis.call('HSET', skey, 'origMember', '')
end
if story.orig == '' and (awaitUrl or awaitTitle) then
  story.orig = awaitUrl or awaitTitle
  redis.call('HSET', skey, 'orig', story.orig)
end
if isOriginal then
  for _, t in ipairs(p.awaitTitles) do
    redis.call('DEL', k('await:t:' .. t))
  end
  redis.call('DEL', k('await:u:' .. p.urlHash))
  -- Copies that came first were judged without the original's length: one much shorter than the original is an
  -- excerpt, as it would have been called had the original come first (the rule for a credited copy joining).
  for _, mid in ipairs(redis.call('ZRANGE', skey .. ':m', 0, p.maxMerge)) do
    local m = mid ~= id and memberOf(mid)
    if m and m.relation == 'syndicated-copy' then
      local n = tonumber(redis.call('HGET', k('sig:' .. mid), 'n')) or 0
      if n > 0 and p.shingles > 0 and n < p.shortRatio * p.shingles then
        setRelation(mid, 'excerpt-copy')
      end
    end
  end
end
-- A copy naming the current representative makes it the attributed original.
if via == 'attribution' and matched and matched == story.rep and story.repCls ~= 0 then
  redis.call('HSET', skey, 'repCls', 0)
  story.repCls = 0
end

local better = false
if rel ~= 'same-url' then
  if cls ~= story.repCls then
    better = cls < story.repCls
  elseif pub ~= story.repPub then
    better = pub < story.repPub
  else
    better = id < story.rep
  end
end
-- One event per article: member_added, or updated when the article joins as the new representative.
countParagraphs()
if not better then
  publish('story.member_added', storyId, id, p.url)
  return { 'joined', id, storyId, rel, 0, via, 0, table.concat(dropped, ' ') }
end

-- The new representative takes over: its body replaces the old one, and relations follow the evidence.
if isOriginal then
  -- An unattributed founder that called itself the original was a copy of this one.
  if story.origMember ~= '' and story.origMember ~= id then
    setRelation(story.origMember, relationOfMember(story.origMember) or 'near-duplicate')
  end
  redis.call('HSET', skey, 'origMember', id)
elseif story.orig == '' and story.origMember ~= '' and story.origMember == story.rep then
  -- No page names an original: the earliest publication is it.
  setRelation(story.rep, relationOfMember(story.rep) or rel)
  setRelation(id, 'original')
  redis.call('HSET', skey, 'origMember', id)
  rel = 'original'
end
drop(story.rep)
-- Until this article's body is stored, readers fall back to the body it replaces (src/store/story-store.ts).
redis.call('HSET', skey, 'rep', id, 'repCls', cls, 'repPub', pub, 'repN', p.shingles, 'prevRep', story.rep)
publish('story.updated', storyId, id, p.url)
return { 'joined', id, storyId, rel, 1, via, 1, table.concat(dropped, ' ') }
