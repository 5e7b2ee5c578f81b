// Real subscription clients: graphql-ws over a real WebSocket, and SSE over fetch.
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';
import { createEventQueue, type EventQueue } from './event-queue.ts';
import type { GraphQLResponse } from './test-gateway.ts';

export function createWsClient(httpUrl: string, options: Partial<ClientOptions> = {}): Client {
  return createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    ...options,
  });
}

/** Subscribes over graphql-ws; each `next` payload becomes an event. */
export function subscribeWs(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): EventQueue<GraphQLResponse> & { unsubscribe(): void } {
  const queue = createEventQueue<GraphQLResponse>();
  const unsubscribe = client.subscribe<Record<string, any>>(
    { query, variables },
    {
      next: (result) => queue.push(result as GraphQLResponse),
      error: (error) => queue.fail(error),
      complete: () => queue.complete(),
    },
  );
  return Object.assign(queue, { unsubscribe });
}

/** Subscribes over SSE (GraphQL over SSE, "distinct connections" mode) with fetch. */
export function subscribeSse(
  httpUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
): EventQueue<GraphQLResponse> & { abort(): void } {
  const queue = createEventQueue<GraphQLResponse>();
  const controller = new AbortController();
  void (async () => {
    try {
      const response = await fetch(`${httpUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query, variables }),
        signal: controller.signal,
      });
      if (!response.ok || !response.body) throw new Error(`SSE answered ${response.status}`);
      const decoder = new TextDecoder();
      const messages = createSseReader(queue);
      const reader = response.body.getReader();
      for (let read = await reader.read(); !read.done && !messages.completed; read = await reader.read()) {
        messages.read(decoder.decode(read.value, { stream: true }));
      }
      queue.complete();
    } catch (error) {
      queue.fail(error);
    }
  })();
  return Object.assign(queue, { abort: () => controller.abort() });
}

/**
 * Reads GraphQL over SSE text as it arrives: `next` events go to the queue, `complete` completes
 * it (and sets `completed`).
 */
export function createSseReader(queue: EventQueue<GraphQLResponse>): { read(chunk: string): void; readonly completed: boolean } {
  let buffer = '';
  let completed = false;
  return {
    read(chunk) {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(message)?.[1];
        const data = /^data: (.*)$/m.exec(message)?.[1];
        if (event === 'next' && data) queue.push(JSON.parse(data) as GraphQLResponse);
        if (event === 'complete') {
          completed = true;
          queue.complete();
        }
      }
    },
    get completed() {
      return completed;
    },
  };
}
