// The event target the job topics travel on when instances share Redis. An event is delivered to
// this instance's listeners at once, in process, and to the other instances through Yoga's Redis
// event target; what comes back from Redis with this instance's own id is dropped.
//
// Why not Yoga's Redis target alone: local subscribers would then hear their own poller only by
// way of Redis, so during an outage (when each instance polls for itself) they would hear nothing.
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { PubSubEventTarget } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { reviveDates } from '../bedrock/job-json.ts';
import type { JobTopics } from '../watch/job-pub-sub.ts';
import type { RedisConnections } from './redis-connections.ts';

/** What travels on a channel: the event's detail and who published it. */
interface Envelope {
  origin: string;
  detail: unknown;
}

type Listener = ((event: CustomEvent) => void) | { handleEvent(event: CustomEvent): void };

export function createSharedEventTarget(connections: RedisConnections, logger: Logger): PubSubEventTarget<JobTopics> {
  const { commands, subscriber, keyPrefix, instanceId } = connections;
  const local = new EventTarget();
  const onCommandError = (operation: string) => (error: unknown) => {
    connections.commandFailed(error);
    logger.debug({ err: error, operation }, 'Redis pub/sub command failed; peers miss this event');
  };

  // The library drops the promises of PUBLISH, SUBSCRIBE and UNSUBSCRIBE, and ioredis rejects them
  // when a connection closes: unhandled, that would end the process. These facades keep the
  // library's behaviour and handle the rejections. PUBLISH is skipped outright while Redis is
  // down: the event already reached local listeners, and peers poll for themselves meanwhile.
  const publishClient = {
    publish: (channel: string, message: string) => {
      if (connections.isUp()) commands.publish(channel, message).catch(onCommandError('publish'));
    },
  } as unknown as Redis;
  const subscribeClient = {
    on: (event: string, listener: (...args: unknown[]) => void) => subscriber.on(event, listener),
    subscribe: (channel: string) => subscriber.subscribe(channel).catch(onCommandError('subscribe')),
    unsubscribe: (channel: string) => subscriber.unsubscribe(channel).catch(onCommandError('unsubscribe')),
  } as unknown as Redis;

  const remote = createRedisEventTarget<CustomEvent<Envelope>>({
    publishClient,
    subscribeClient,
    // Job states carry Dates; revived here, a peer's job equals the same job fetched locally.
    serializer: { stringify: JSON.stringify, parse: (text) => JSON.parse(text, reviveDates) as unknown },
  });

  // Per topic, the wrapper registered on the Redis target for each local listener.
  const wrappers = new Map<string, Map<Listener, (event: CustomEvent<Envelope>) => void>>();
  const channel = (topic: string) => `${keyPrefix}${topic}`;
  const call = (listener: Listener, event: CustomEvent) =>
    typeof listener === 'function' ? listener(event) : listener.handleEvent(event);

  const target = {
    addEventListener(topic: string, listener: Listener | null) {
      if (!listener) return;
      local.addEventListener(topic, listener as EventListenerOrEventListenerObject);
      const forTopic = wrappers.get(topic) ?? new Map<Listener, (event: CustomEvent<Envelope>) => void>();
      wrappers.set(topic, forTopic);
      if (forTopic.has(listener)) return;
      const wrapper = (event: CustomEvent<Envelope>) => {
        const { origin, detail } = event.detail;
        if (origin !== instanceId) call(listener, new CustomEvent(topic, { detail }));
      };
      forTopic.set(listener, wrapper);
      remote.addEventListener(channel(topic), wrapper);
    },
    removeEventListener(topic: string, listener: Listener | null) {
      if (!listener) return;
      local.removeEventListener(topic, listener as EventListenerOrEventListenerObject);
      const forTopic = wrappers.get(topic);
      const wrapper = forTopic?.get(listener);
      if (!forTopic || !wrapper) return;
      forTopic.delete(listener);
      if (forTopic.size === 0) wrappers.delete(topic);
      remote.removeEventListener(channel(topic), wrapper);
    },
    dispatchEvent(event: CustomEvent) {
      local.dispatchEvent(new CustomEvent(event.type, { detail: event.detail }));
      const envelope: Envelope = { origin: instanceId, detail: event.detail };
      return remote.dispatchEvent(new CustomEvent(channel(event.type), { detail: envelope }));
    },
  };
  return target as unknown as PubSubEventTarget<JobTopics>;
}
