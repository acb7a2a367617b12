/**
 * The shopping-list examples, each host started in process on port 0: REST at /items and MCP at
 * /mcp (Streamable HTTP) and /mcp/sse (legacy SSE) share one store. The official SDK client drives
 * MCP over both transports, with every server message validated against the spec.
 */
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type JSONRPCMessage,
  type Progress,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpApp } from 'wharf-mcp';
import { createApp as expressApp } from '../examples/shopping-list/express.js';
import { createApp as fastifyApp } from '../examples/shopping-list/fastify.js';
import { createApp as honoApp } from '../examples/shopping-list/hono.js';
import { createApp as koaApp } from '../examples/shopping-list/koa.js';
import { LIST_URI } from '../examples/shopping-list/mcp.js';
import { createApp as nodeApp } from '../examples/shopping-list/node.js';
import { type Item, ShoppingList } from '../examples/shopping-list/store.js';
import {
  Cleanup,
  connectSdk,
  type SdkTarget,
  type SdkTransportKind,
  textOf,
  until,
  WAIT_MS,
  withTimeout,
} from './support/bindings.js';

type CreateApp = (store: ShoppingList) => {
  mcp: HttpApp;
  listen(port: number): Promise<{ port: number; close(): Promise<void> }>;
};

const HOSTS: { host: string; createApp: CreateApp }[] = [
  { host: 'express', createApp: expressApp },
  { host: 'fastify', createApp: fastifyApp },
  { host: 'koa', createApp: koaApp },
  { host: 'hono', createApp: honoApp },
  { host: 'node', createApp: nodeApp },
];
const KINDS: SdkTransportKind[] = ['streamable', 'sse'];

/** Every request the tests make is bounded by this (the SDK's default is a minute). */
const REQUEST = { timeout: WAIT_MS };

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe.each(HOSTS)('shopping list on $host', ({ createApp }) => {
  const store = new ShoppingList();
  const { listen } = createApp(store);
  let origin = '';
  let close: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const running = await withTimeout(listen(0), 'the host to listen');
    origin = `http://127.0.0.1:${running.port}`;
    close = running.close;
  });
  afterAll(() => withTimeout(close(), 'the host to close'));

  const rest = (init?: RequestInit) =>
    withTimeout(
      fetch(`${origin}/items`, { ...init, signal: AbortSignal.timeout(WAIT_MS) }),
      'GET/POST /items',
    );
  const getItems = async () => (await (await rest()).json()) as Item[];
  const postItem = (body: string) =>
    rest({ method: 'POST', headers: { 'content-type': 'application/json' }, body });

  /** The SDK client at /mcp or /mcp/sse, once it has the stream that carries notifications. */
  async function connect(kind: SdkTransportKind) {
    let streams = 0;
    const clientFetch: FetchLike = async (input, init) => {
      const response = await fetch(input, init);
      const sse = response.headers.get('content-type')?.startsWith('text/event-stream');
      if ((init?.method ?? 'GET') === 'GET' && response.ok && sse) streams++;
      return response;
    };
    const target: SdkTarget = {
      mcpUrl: new URL(`${origin}/mcp`),
      sseUrl: new URL(`${origin}/mcp/sse`),
      clientFetch,
    };
    const connection =
      kind === 'streamable'
        ? await connectSdk(target, 'streamable', {}, cleanup)
        : await connectSdk(target, 'sse', {}, cleanup);
    // Streamable HTTP sends notifications outside a request on the GET stream the client opens
    // after initializing; the legacy transport's stream is open before connect() resolves.
    await until(() => streams > 0, `the ${kind} client's GET stream`);
    return connection;
  }

  it('POST /items answers 400 with a helpful error for a bad body', async () => {
    const notJson = await postItem('{"name": milk');
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/not valid JSON/i);

    const noName = await postItem(JSON.stringify({ quantity: 2 }));
    expect(noName.status).toBe(400);
    expect(await noName.json()).toEqual({ error: 'Send JSON like {"name": "milk", "quantity": 2}.' });

    const badQuantity = await postItem(JSON.stringify({ name: 'eggs', quantity: 0 }));
    expect(badQuantity.status).toBe(400);
    expect(await badQuantity.json()).toEqual({ error: '"quantity" must be a positive whole number.' });
    expect(await getItems()).not.toContainEqual(expect.objectContaining({ name: 'eggs' }));
  });

  describe.each(KINDS)('MCP over %s', (kind) => {
    it('an item added with add_item shows in GET /items', async () => {
      const { client, checker, errors } = await connect(kind);
      const name = `apples (${kind})`;
      const result = await client.callTool(
        { name: 'add_item', arguments: { name, quantity: 3 } },
        undefined,
        REQUEST,
      );
      expect(result.isError).toBeFalsy();
      expect(textOf(result)).toBe(`Added 3 × ${name} (now 3).`);

      const response = await rest();
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toContainEqual({ id: expect.any(Number), name, quantity: 3 });
      checker.assertClean();
      expect(errors).toEqual([]);
    });

    it('an item added with POST /items shows in list_items and in the shopping://list resource', async () => {
      const { client, checker, errors } = await connect(kind);
      const response = await postItem(JSON.stringify({ name: `  bread (${kind}) `, quantity: 2 }));
      expect(response.status).toBe(201);
      const item = (await response.json()) as Item;
      expect(item).toEqual({ id: expect.any(Number), name: `bread (${kind})`, quantity: 2 });

      const listed = await client.callTool({ name: 'list_items' }, undefined, REQUEST);
      expect((listed.structuredContent as { items: Item[] }).items).toContainEqual(item);

      const read = await client.readResource({ uri: LIST_URI }, REQUEST);
      const [contents] = read.contents;
      expect(contents).toMatchObject({ uri: LIST_URI, mimeType: 'application/json' });
      expect(JSON.parse((contents as { text: string }).text)).toContainEqual(item);
      checker.assertClean();
      expect(errors).toEqual([]);
    });

    it('remove_item of a missing item is a tool error that says what to do', async () => {
      const { client, checker, errors } = await connect(kind);
      const result = await client.callTool(
        { name: 'remove_item', arguments: { name: 'unicorn' } },
        undefined,
        REQUEST,
      );
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe('"unicorn" is not on the list. Call list_items to see what is.');
      checker.assertClean();
      expect(errors).toEqual([]);
    });

    it('place_order reports progress per item and empties the list', async () => {
      const { client, checker, errors, received } = await connect(kind);
      await postItem(JSON.stringify({ name: `milk (${kind})` }));
      await postItem(JSON.stringify({ name: `eggs (${kind})`, quantity: 12 }));
      const count = store.list().length;
      const seen: Progress[] = [];
      const result = await client.callTool({ name: 'place_order' }, undefined, {
        ...REQUEST,
        onprogress: (progress) => seen.push(progress),
      });
      expect(result.isError).toBeFalsy();
      expect(textOf(result)).toMatch(new RegExp(`^Order #\\d+ placed: .*1 × milk \\(${kind}\\), 12 × eggs`));

      // What came on the wire, in order: one progress per item, then the result.
      const progress = received.filter(
        (message): message is JSONRPCMessage & { params: Progress } =>
          'method' in message && message.method === 'notifications/progress',
      );
      expect(progress.map(({ params }) => [params.progress, params.total])).toEqual(
        Array.from({ length: count }, (_, index) => [index + 1, count]),
      );
      expect(progress.at(-1)?.params.message).toBe(`ordering eggs (${kind})`);
      const resultAt = received.findIndex((message) => 'result' in message && 'content' in message.result);
      expect(resultAt).toBeGreaterThan(received.indexOf(progress.at(-1)!));
      // The SDK client runs notification handlers a microtask after it reads them but settles a
      // response at once: when the result comes in the same chunk as the progress (the legacy SSE
      // stream carries them back to back), the call has ended before onprogress would run, and the
      // client reports "a progress notification for an unknown token" instead.
      const lateProgress = (error: Error) =>
        error.message.includes('progress notification for an unknown token');
      if (kind === 'streamable') {
        expect(seen.map((p) => p.progress)).toEqual(progress.map((p) => p.params.progress));
      } else {
        expect(seen.length + errors.filter(lateProgress).length).toBe(count);
      }

      expect(await getItems()).toEqual([]);
      const listed = await client.callTool({ name: 'list_items' }, undefined, REQUEST);
      expect(listed.structuredContent).toEqual({ items: [] });
      const again = await client.callTool({ name: 'place_order' }, undefined, REQUEST);
      expect(again.isError).toBe(true);
      expect(textOf(again)).toMatch(/list is empty/);
      checker.assertClean();
      expect(errors.filter((error) => !lateProgress(error))).toEqual([]);
    });

    it('a client subscribed to shopping://list hears of POST /items', async () => {
      const { client, checker, errors } = await connect(kind);
      const updated: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
        updated.push(notification.params.uri);
      });
      await client.subscribeResource({ uri: LIST_URI }, REQUEST);
      const response = await postItem(JSON.stringify({ name: `tea (${kind})` }));
      expect(response.status).toBe(201);
      await until(() => updated.length > 0, 'notifications/resources/updated');
      expect(updated[0]).toBe(LIST_URI);
      checker.assertClean();
      expect(errors).toEqual([]);
    });
  });
});
