// Poll leases in Redis: a key per job (and one for the account scope) holding the id of the
// instance that refreshes it, with a TTL. Claims and renewals of a whole round go in one Lua call,
// so 1,000 watched jobs cost one round trip, not 1,000. Held leases are also renewed on a timer of
// a third of the lease, so a long round (many paced calls) never lets them lapse. An instance that
// dies stops renewing; its leases expire and the next round of another instance takes them.
// While Redis cannot be reached, claim() says "all yours": every instance polls for itself.
import type { Logger } from 'pino';
import type { PollOwnership } from '../watch/poll-ownership.ts';
import type { RedisConnections } from './redis-connections.ts';

export interface RedisPollOwnershipOptions {
  connections: RedisConnections;
  /** Lease lifetime unless renewed: the longest a dead instance's jobs go unpolled. */
  leaseMs: number;
  logger: Logger;
}

// KEYS: lease keys; ARGV[1]: this instance; ARGV[2]: lease in ms. Returns the indexes (1-based)
// of the keys this instance holds afterwards: free ones are taken, its own are renewed.
const CLAIM_SCRIPT = `
local held = {}
for index, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if not holder then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    held[#held + 1] = index
  elseif holder == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    held[#held + 1] = index
  end
end
return held`;

// KEYS: lease keys; ARGV[1]: this instance. Deletes only leases it holds.
const RELEASE_SCRIPT = `
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('DEL', key)
    released = released + 1
  end
end
return released`;

interface LeaseCommands {
  bedrockGatewayClaimLeases(keyCount: number, ...keysThenArgs: Array<string | number>): Promise<number[]>;
  bedrockGatewayReleaseLeases(keyCount: number, ...keysThenArgs: Array<string | number>): Promise<number>;
}

export function createRedisPollOwnership({ connections, leaseMs, logger }: RedisPollOwnershipOptions): PollOwnership {
  const { commands, keyPrefix, instanceId } = connections;
  // defineCommand sends EVALSHA and falls back to EVAL when Redis lost its script cache (restart).
  commands.defineCommand('bedrockGatewayClaimLeases', { lua: CLAIM_SCRIPT });
  commands.defineCommand('bedrockGatewayReleaseLeases', { lua: RELEASE_SCRIPT });
  const scripts = commands as unknown as LeaseCommands;
  const redisKey = (key: string) => `${keyPrefix}lease:${key}`;

  /** Leases this instance believes it holds, renewed on the timer. */
  const held = new Set<string>();
  let degraded = false;

  const setDegraded = (now: boolean, error?: unknown) => {
    if (now === degraded) return;
    degraded = now;
    if (now) logger.warn({ err: error }, 'Poll leases unreachable: this instance polls every job it watches until Redis returns');
    else logger.info('Poll leases reachable again: sharing polls with the other instances');
  };

  const claim = async (keys: readonly string[]): Promise<ReadonlySet<string>> => {
    if (keys.length === 0) return new Set();
    if (!connections.isUp()) {
      setDegraded(true);
      return new Set(keys);
    }
    try {
      const indexes = await scripts.bedrockGatewayClaimLeases(keys.length, ...keys.map(redisKey), instanceId, leaseMs);
      setDegraded(false);
      const owned = new Set(indexes.map((index) => keys[index - 1] as string));
      for (const key of keys) {
        if (owned.has(key)) held.add(key);
        else held.delete(key);
      }
      return owned;
    } catch (error) {
      connections.commandFailed(error);
      setDegraded(true, error);
      return new Set(keys);
    }
  };

  const release = async (keys: readonly string[]) => {
    const mine = keys.filter((key) => held.delete(key));
    if (mine.length === 0 || !connections.isUp()) return;
    await scripts
      .bedrockGatewayReleaseLeases(mine.length, ...mine.map(redisKey), instanceId)
      .catch((error: unknown) => {
        connections.commandFailed(error);
        logger.debug({ err: error }, 'releasing poll leases failed; they expire instead');
      });
  };

  const renewal = setInterval(() => {
    if (held.size > 0) void claim([...held]);
  }, Math.max(10, Math.floor(leaseMs / 3)));
  renewal.unref();

  return {
    shared: true,
    claim,
    release: (keys) => void release(keys),
    async close() {
      clearInterval(renewal);
      await release([...held]);
    },
  };
}
