#!lua
-- One atomic step of the serving layer (talent_pulse/serving/write.py sends it).
-- Redis does not roll a script back, so every precondition that could make a write command fail
-- (wrong key type, non-integer counter) is checked before the first write. The `#!lua` shebang
-- makes Redis refuse the whole script up front when it is out of memory, instead of failing at
-- the first write.
--
-- KEYS[1] fence, KEYS[2] meta, KEYS[3] loc_top, KEYS[4..] the keys the plan uses.
-- ARGV[1] batch id, ARGV[3] how many top skills loc_top keeps per location,
-- ARGV[2] the plan as JSON:
--   z: [[key_index, [member, count, ...], ttl], ...]    ZINCRBY (+ EXPIRE when ttl > 0)
--   h: [[key_index, [field, count, ...]], ...]          HINCRBY
--   s: [[key_index, count, ttl], ...]                   INCRBY (+ EXPIRE)
--   top: [[key_index, slug], ...]                       refresh loc_top[slug] from that ZSET
--   seen: [[key_index, [event_id, ...], ttl], ...]       SADD + EXPIRE (the event ids first seen in this batch)
--   meta: {postings, rejected, duplicates}, last_event_time: ISO string or false
local batch_id = tonumber(ARGV[1])
local plan = cjson.decode(ARGV[2])

local function is_integer(value)
  return value == false or string.match(value, '^-?%d+$') ~= nil
end

local function require_type(key, expected)
  local actual = redis.call('TYPE', key)['ok']
  if actual ~= 'none' and actual ~= expected then
    return redis.error_reply('WRONGTYPE serving key ' .. key .. ' is a ' .. actual .. ', expected ' .. expected)
  end
end

local function require_integer_fields(key, fields)
  local values = redis.call('HMGET', key, unpack(fields))
  for i, value in ipairs(values) do
    if not is_integer(value) then
      return redis.error_reply('ERR serving hash ' .. key .. ' field ' .. fields[i] .. ' is not an integer')
    end
  end
end

local failure = require_type(KEYS[1], 'string') or require_type(KEYS[2], 'hash') or require_type(KEYS[3], 'hash')
if failure then return failure end
local applied = redis.call('GET', KEYS[1])
if not is_integer(applied) then
  return redis.error_reply('ERR fence ' .. KEYS[1] .. ' does not hold a batch id')
end
if applied and tonumber(applied) >= batch_id then
  return 0
end

failure = require_integer_fields(KEYS[2], {'postings', 'rejected', 'duplicates', 'batches_applied'})
if failure then return failure end
for _, op in ipairs(plan.z) do
  failure = require_type(KEYS[op[1]], 'zset')
  if failure then return failure end
end
for _, op in ipairs(plan.h) do
  local key, fields = KEYS[op[1]], {}
  failure = require_type(key, 'hash')
  if failure then return failure end
  for i = 1, #op[2], 2 do fields[#fields + 1] = op[2][i] end
  if #fields > 0 then
    failure = require_integer_fields(key, fields)
    if failure then return failure end
  end
end
for _, op in ipairs(plan.seen) do
  failure = require_type(KEYS[op[1]], 'set')
  if failure then return failure end
end
for _, op in ipairs(plan.s) do
  local key = KEYS[op[1]]
  failure = require_type(key, 'string')
  if failure then return failure end
  if not is_integer(redis.call('GET', key)) then
    return redis.error_reply('ERR serving counter ' .. key .. ' is not an integer')
  end
end

for _, op in ipairs(plan.z) do
  local key, items = KEYS[op[1]], op[2]
  for i = 1, #items, 2 do redis.call('ZINCRBY', key, items[i + 1], items[i]) end
  if op[3] > 0 then redis.call('EXPIRE', key, op[3]) end
end
for _, op in ipairs(plan.h) do
  local key, items = KEYS[op[1]], op[2]
  for i = 1, #items, 2 do redis.call('HINCRBY', key, items[i], items[i + 1]) end
end
for _, op in ipairs(plan.s) do
  redis.call('INCRBY', KEYS[op[1]], op[2])
  if op[3] > 0 then redis.call('EXPIRE', KEYS[op[1]], op[3]) end
end
for _, op in ipairs(plan.seen) do
  local key, ids = KEYS[op[1]], op[2]
  for first = 1, #ids, 1000 do  -- unpack takes a few thousand values at most
    redis.call('SADD', key, unpack(ids, first, math.min(first + 999, #ids)))
  end
  redis.call('EXPIRE', key, op[3])
end
for _, op in ipairs(plan.top) do
  local top = redis.call('ZREVRANGE', KEYS[op[1]], 0, tonumber(ARGV[3]) - 1, 'WITHSCORES')
  redis.call('HSET', KEYS[3], op[2], cjson.encode(top))
end

local meta = KEYS[2]
redis.call('HINCRBY', meta, 'postings', plan.meta.postings)
redis.call('HINCRBY', meta, 'rejected', plan.meta.rejected)
redis.call('HINCRBY', meta, 'duplicates', plan.meta.duplicates)
redis.call('HINCRBY', meta, 'batches_applied', 1)
redis.call('HSET', meta, 'last_batch_id', ARGV[1])
if plan.last_event_time then
  local previous = redis.call('HGET', meta, 'last_event_time')
  if not previous or plan.last_event_time > previous then
    redis.call('HSET', meta, 'last_event_time', plan.last_event_time)
  end
end
local now = redis.call('TIME')
redis.call('HSET', meta, 'last_update_time', string.format('%d.%06d', now[1], now[2]))
redis.call('SET', KEYS[1], ARGV[1])
return 1
