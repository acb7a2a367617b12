/**
 * Tools through the official SDK client: schemas from each library, argument validation per
 * protocol version, results, errors, pagination, registration mistakes and run-time changes.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  McpError as SdkMcpError,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { McpError, McpServer, WharfError } from 'wharf-mcp';
import { z } from 'zod';
import { textOf } from './support/common.js';
import { connectClient } from './support/connect.js';

function newServer(options: { pageSize?: number } = {}): McpServer {
  return new McpServer({ name: 'tools-server', version: '1.0.0', ...options });
}

/** Runs `call` and returns the McpError it rejects with. */
async function rejection(call: Promise<unknown>): Promise<SdkMcpError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(SdkMcpError);
    return error as SdkMcpError;
  }
  throw new Error('expected the request to fail');
}

/** Runs `register` and returns the WharfError it throws. */
function registrationError(register: () => unknown): WharfError {
  try {
    register();
  } catch (error) {
    expect(error).toBeInstanceOf(WharfError);
    return error as WharfError;
  }
  throw new Error('expected registration to throw');
}

/** The same "forecast" tool, its arguments described by each schema library. */
function registerForecast(server: McpServer, library: 'zod' | 'valibot' | 'arktype'): void {
  const description = 'Weather forecast for a city';
  if (library === 'zod') {
    const inputSchema = z.object({
      city: z.string().describe('City name'),
      days: z.number().int().min(1).max(7).default(3),
    });
    server.tool('forecast', { description, inputSchema }, (args) => {
      expectTypeOf(args).toEqualTypeOf<{ city: string; days: number }>();
      return `${args.city.toUpperCase()} for ${args.days + 0} days`;
    });
  } else if (library === 'valibot') {
    const inputSchema = toStandardJsonSchema(
      v.object({
        city: v.pipe(v.string(), v.description('City name')),
        days: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(7)), 3),
      }),
    );
    server.tool('forecast', { description, inputSchema }, (args) => {
      expectTypeOf(args).toEqualTypeOf<{ city: string; days: number }>();
      return `${args.city.toUpperCase()} for ${args.days + 0} days`;
    });
  } else {
    const inputSchema = type({ city: 'string', 'days?': '1 <= number.integer <= 7' });
    server.tool('forecast', { description, inputSchema }, (args) => {
      expectTypeOf(args).toEqualTypeOf<{ city: string; days?: number }>();
      return `${args.city.toUpperCase()} for ${(args.days ?? 3) + 0} days`;
    });
  }
}

const expectedInputSchemas = {
  zod: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'City name' },
      days: { type: 'integer', minimum: 1, maximum: 7, default: 3 },
    },
    required: ['city'],
  },
  valibot: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'City name' },
      days: { type: 'integer', minimum: 1, maximum: 7, default: 3 },
    },
    required: ['city'],
  },
  arktype: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 } },
    required: ['city'],
  },
};

describe.each(['zod', 'valibot', 'arktype'] as const)(
  'a tool whose input schema is written with %s',
  (library) => {
    it('is listed with the JSON Schema of its arguments (no $schema dialect marker)', async () => {
      const server = newServer();
      registerForecast(server, library);
      const { client, resultOf, checker, close } = await connectClient(server);
      await client.listTools();
      const [tool] = resultOf('tools/list').tools as { inputSchema: Record<string, unknown> }[];
      expect(tool?.inputSchema).toEqual(expectedInputSchemas[library]);
      checker.assertClean();
      await close();
    });

    it('gets its arguments parsed and typed, defaults applied', async () => {
      const server = newServer();
      registerForecast(server, library);
      const { client, checker, close } = await connectClient(server);
      const result = await client.callTool({ name: 'forecast', arguments: { city: 'Oslo' } });
      expect(result).toEqual({ content: [{ type: 'text', text: 'OSLO for 3 days' }] });
      const five = await client.callTool({ name: 'forecast', arguments: { city: 'Oslo', days: 5 } });
      expect(textOf(five)).toBe('OSLO for 5 days');
      checker.assertClean();
      await close();
    });

    it('under 2025-11-25, answers invalid arguments with an isError result naming the field', async () => {
      const server = newServer();
      registerForecast(server, library);
      const { client, checker, close } = await connectClient(server, { protocolVersion: '2025-11-25' });
      const result = await client.callTool({ name: 'forecast', arguments: { city: 42 } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^Invalid arguments for tool "forecast": .*city/);
      checker.assertClean();
      await close();
    });

    it('under 2025-06-18, answers invalid arguments with JSON-RPC error -32602 naming the field', async () => {
      const server = newServer();
      registerForecast(server, library);
      const { client, checker, close } = await connectClient(server, { protocolVersion: '2025-06-18' });
      const error = await rejection(
        client.callTool({ name: 'forecast', arguments: { city: 'Oslo', days: 9 } }),
      );
      expect(error.code).toBe(-32602);
      expect(error.message).toMatch(/Invalid arguments for tool "forecast": .*days/);
      checker.assertClean();
      await close();
    });
  },
);

describe('a tool whose input schema is plain JSON Schema', () => {
  const inputSchema = {
    type: 'object',
    properties: { count: { type: 'integer', minimum: 0, description: 'How many' } },
    required: ['count'],
    additionalProperties: false,
  };

  it('is listed with the schema exactly as given', async () => {
    const server = newServer();
    server.tool('repeat', { description: 'Repeat', inputSchema }, (args) => {
      expectTypeOf(args).toEqualTypeOf<Record<string, unknown>>();
      return 'x'.repeat(args.count as number);
    });
    const { client, resultOf, checker, close } = await connectClient(server);
    await client.listTools();
    expect((resultOf('tools/list').tools as { inputSchema: unknown }[])[0]?.inputSchema).toEqual(inputSchema);
    expect(await client.callTool({ name: 'repeat', arguments: { count: 3 } })).toEqual({
      content: [{ type: 'text', text: 'xxx' }],
    });
    checker.assertClean();
    await close();
  });

  it('validates the arguments against it', async () => {
    const server = newServer();
    server.tool('repeat', { description: 'Repeat', inputSchema }, () => 'never');
    const { client, checker, close } = await connectClient(server);
    const negative = await client.callTool({ name: 'repeat', arguments: { count: -1 } });
    expect(negative.isError).toBe(true);
    expect(textOf(negative)).toMatch(/count: must be >= 0/);
    const extra = await client.callTool({ name: 'repeat', arguments: { count: 1, times: 2 } });
    expect(textOf(extra)).toMatch(/times: unexpected property/);
    const missing = await client.callTool({ name: 'repeat', arguments: {} });
    expect(textOf(missing)).toMatch(/count: required/);
    checker.assertClean();
    await close();
  });
});

describe('tool results', () => {
  const outputSchema = z.object({ temperature: z.number(), conditions: z.string() });

  it('a plain object under an outputSchema becomes structuredContent plus its JSON as text, and the SDK client accepts it', async () => {
    const server = newServer();
    server.tool('weather', { description: 'Weather', outputSchema }, () => ({
      temperature: 21,
      conditions: 'sunny',
    }));
    const { client, checker, close } = await connectClient(server);
    await client.listTools(); // lets the SDK client validate structuredContent against the outputSchema
    const result = await client.callTool({ name: 'weather' });
    expect(result.structuredContent).toEqual({ temperature: 21, conditions: 'sunny' });
    expect(JSON.parse(textOf(result))).toEqual({ temperature: 21, conditions: 'sunny' });
    expect(result.isError).toBeUndefined();
    checker.assertClean();
    await close();
  });

  it('an object that breaks the outputSchema becomes an isError result saying so', async () => {
    const server = newServer();
    server.tool('weather', { description: 'Weather', outputSchema }, () => ({
      temperature: 'warm' as unknown as number,
      conditions: 'sunny',
    }));
    const { client, checker, close } = await connectClient(server);
    await client.listTools();
    const result = await client.callTool({ name: 'weather' });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    expect(textOf(result)).toMatch(/does not match its outputSchema: temperature/);
    checker.assertClean();
    await close();
  });

  it('under 2025-03-26, which has no structured content, sends only the JSON text', async () => {
    const server = newServer();
    server.tool('weather', { description: 'Weather', outputSchema }, () => ({
      temperature: 21,
      conditions: 'sunny',
    }));
    const { client, resultOf, checker, close } = await connectClient(server, {
      protocolVersion: '2025-03-26',
    });
    await client.callTool({ name: 'weather' });
    expect(resultOf('tools/call')).toEqual({
      content: [{ type: 'text', text: '{"temperature":21,"conditions":"sunny"}' }],
    });
    checker.assertClean();
    await close();
  });

  it('sends the output schema’s parsed value, so defaults are filled in', async () => {
    const server = newServer();
    const withDefault = z.object({ temperature: z.number(), unit: z.string().default('C') });
    server.tool('reading', { description: 'Reading', outputSchema: withDefault }, () => ({
      temperature: 20,
    }));
    const { client, checker, close } = await connectClient(server);
    await client.listTools();
    const result = await client.callTool({ name: 'reading' });
    expect(result.structuredContent).toEqual({ temperature: 20, unit: 'C' });
    checker.assertClean();
    await close();
  });

  it('sends the output schema’s parsed value, so unknown keys are stripped', async () => {
    const server = newServer();
    const row = { temperature: 21, conditions: 'sunny', station: 'OSL-1' };
    server.tool('weather', { description: 'Weather', outputSchema }, () => row);
    const { client, checker, close } = await connectClient(server);
    await client.listTools();
    const result = await client.callTool({ name: 'weather' });
    expect(result.structuredContent).toEqual({ temperature: 21, conditions: 'sunny' });
    checker.assertClean();
    await close();
  });

  it.each([
    ['2025-03-26', { type: 'resource_link', uri: 'file:///report.pdf', name: 'report' }],
    ['2024-11-05', { type: 'audio', data: 'UklGRg==', mimeType: 'audio/wav' }],
  ] as const)('under %s, sends only content types that version knows', async (version, block) => {
    const server = newServer();
    server.tool('attach', { description: 'Attach' }, () => ({
      content: [{ type: 'text' as const, text: 'Attached' }, block],
    }));
    const { client, checker, close } = await connectClient(server, { protocolVersion: version });
    const result = await client.callTool({ name: 'attach' });
    expect(textOf(result)).toBe('Attached');
    checker.assertClean();
    await close();
  });

  it('a string becomes one text block', async () => {
    const server = newServer();
    server.tool('hello', { description: 'Hello' }, () => 'Hello, world');
    const { client, checker, close } = await connectClient(server);
    expect(await client.callTool({ name: 'hello' })).toEqual({
      content: [{ type: 'text', text: 'Hello, world' }],
    });
    checker.assertClean();
    await close();
  });

  it('any other JSON value without an outputSchema becomes its JSON text', async () => {
    const server = newServer();
    server.tool('numbers', { description: 'Numbers' }, () => [1, 2, 3]);
    const { client, checker, close } = await connectClient(server);
    expect(await client.callTool({ name: 'numbers' })).toEqual({
      content: [{ type: 'text', text: '[1,2,3]' }],
    });
    checker.assertClean();
    await close();
  });

  it('a full CallToolResult passes through unchanged', async () => {
    const server = newServer();
    const full = {
      content: [
        { type: 'text' as const, text: 'Here is the chart' },
        { type: 'image' as const, data: 'iVBORw0KGgo=', mimeType: 'image/png' },
      ],
      _meta: { 'com.example/trace': 'abc' },
    };
    server.tool('chart', { description: 'Chart' }, () => full);
    const { client, resultOf, checker, close } = await connectClient(server);
    await client.callTool({ name: 'chart' });
    expect(resultOf('tools/call')).toEqual(full);
    checker.assertClean();
    await close();
  });

  it('a handler that throws gives an isError result carrying the message, and onError hears it', async () => {
    const heard: [unknown, string | undefined][] = [];
    const server = new McpServer({ name: 't', version: '1', onError: (e, where) => heard.push([e, where]) });
    const cause = new Error('The weather service is down');
    server.tool('flaky', { description: 'Flaky' }, () => {
      throw cause;
    });
    const { client, checker, close } = await connectClient(server);
    expect(await client.callTool({ name: 'flaky' })).toEqual({
      content: [{ type: 'text', text: 'The weather service is down' }],
      isError: true,
    });
    expect(heard).toEqual([[cause, 'tool "flaky"']]);
    checker.assertClean();
    await close();
  });

  it('an async handler that rejects gives an isError result too', async () => {
    const server = newServer();
    server.tool('flaky', { description: 'Flaky' }, async () => {
      await Promise.resolve();
      throw new Error('Timed out upstream');
    });
    const { client, checker, close } = await connectClient(server);
    const result = await client.callTool({ name: 'flaky' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('Timed out upstream');
    checker.assertClean();
    await close();
  });

  it.each([
    ['a string', 'The weather service is down', 'The weather service is down'],
    ['an object', { code: 'E1', detail: 'x' }, '{"code":"E1","detail":"x"}'],
    ['a number', 42, '42'],
  ])('a handler that throws %s gives an isError result keeping its content', async (_kind, thrown, text) => {
    const server = newServer();
    server.tool('flaky', { description: 'Flaky' }, () => {
      throw thrown;
    });
    const { client, checker, close } = await connectClient(server);
    expect(await client.callTool({ name: 'flaky' })).toEqual({
      content: [{ type: 'text', text }],
      isError: true,
    });
    checker.assertClean();
    await close();
  });

  it('a thrown McpError is an isError result too, so the model reads it; onError is not told', async () => {
    const heard: unknown[] = [];
    const server = new McpServer({ name: 't', version: '1', onError: (e) => heard.push(e) });
    server.tool('lookup', { description: 'Lookup' }, () => {
      throw McpError.resourceNotFound('users://7');
    });
    const { client, checker, close } = await connectClient(server);
    const result = await client.callTool({ name: 'lookup' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Resource not found: "users:\/\/7"/);
    expect(heard).toEqual([]);
    checker.assertClean();
    await close();
  });

  it('McpError.urlElicitationRequired is the one thrown error sent as a JSON-RPC error (-32042)', async () => {
    const server = newServer();
    const elicitation = {
      mode: 'url' as const,
      elicitationId: 'e-1',
      url: 'https://example.com/connect?e=e-1',
      message: 'Connect your account.',
    };
    server.tool('files', { description: 'Files' }, () => {
      throw McpError.urlElicitationRequired([elicitation]);
    });
    const { client, checker, close } = await connectClient(server, {
      capabilities: { elicitation: { url: {} } },
    });
    const error = await rejection(client.callTool({ name: 'files' }));
    expect(error.code).toBe(-32042);
    expect(error.data).toEqual({ elicitations: [elicitation] });
    checker.assertClean();
    await close();
  });

  it('an unknown tool is a JSON-RPC error -32602 that points to tools/list', async () => {
    const server = newServer();
    server.tool('hello', { description: 'Hello' }, () => 'hi');
    const { client, checker, close } = await connectClient(server);
    const error = await rejection(client.callTool({ name: 'nope' }));
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/Unknown tool: "nope".*tools\/list/);
    checker.assertClean();
    await close();
  });
});

describe('tools/list pagination', () => {
  function fiveTools(): McpServer {
    const server = newServer({ pageSize: 2 });
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      server.tool(name, { description: `Tool ${name}` }, () => name);
    return server;
  }

  it('walks every tool in pages of pageSize, following nextCursor', async () => {
    const { client, checker, close } = await connectClient(fiveTools());
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      pages.push(page.tools.map((tool) => tool.name));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(pages).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    checker.assertClean();
    await close();
  });

  it('rejects a cursor it did not issue with -32602', async () => {
    const { client, checker, close } = await connectClient(fiveTools());
    const error = await rejection(client.listTools({ cursor: 'not-a-cursor' }));
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/cursor/);
    checker.assertClean();
    await close();
  });

  it('sends no nextCursor when everything fits on one page', async () => {
    const server = newServer({ pageSize: 2 });
    server.tool('only', { description: 'Only' }, () => 'x');
    const { client, resultOf, checker, close } = await connectClient(server);
    await client.listTools();
    expect(resultOf('tools/list')).not.toHaveProperty('nextCursor');
    checker.assertClean();
    await close();
  });
});

describe('registration mistakes throw a WharfError that says what to do', () => {
  it('a duplicate name: WHARF_DUPLICATE_NAME', () => {
    const server = newServer();
    server.tool('search', { description: 'Search' }, () => 'x');
    const error = registrationError(() => server.tool('search', { description: 'Search again' }, () => 'y'));
    expect(error.code).toBe('WHARF_DUPLICATE_NAME');
    expect(error.message).toMatch(/"search" is already registered\. Pick another name, or call remove\(\)/);
  });

  it('a name with spaces or punctuation: WHARF_INVALID_NAME', () => {
    const server = newServer();
    const error = registrationError(() => server.tool('bad name!', { description: 'Bad' }, () => 'x'));
    expect(error.code).toBe('WHARF_INVALID_NAME');
    expect(error.message).toMatch(/"bad name!" is not allowed: use 1 to 128 letters, digits.*get_weather/);
  });

  it('an input schema that is not an object: WHARF_INVALID_SCHEMA', () => {
    const server = newServer();
    const error = registrationError(() => server.tool('n', { inputSchema: z.string() as never }, () => 'x'));
    expect(error.code).toBe('WHARF_INVALID_SCHEMA');
    expect(error.message).toMatch(/wrap the fields in an object schema/);
  });
});

/** Collects tools/list_changed notifications; `next()` resolves at the next one. */
function watchToolList(client: Client) {
  let count = 0;
  let waiter: (() => void) | undefined;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    count++;
    waiter?.();
  });
  return {
    get count() {
      return count;
    },
    next: () => new Promise<void>((resolve) => (waiter = resolve)),
  };
}

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name);
}

describe('changing tools at run time', () => {
  it('adding, disabling, enabling and removing a tool each send tools/list_changed, and the list follows', async () => {
    const server = newServer();
    server.tool('first', { description: 'First' }, () => '1');
    const { client, checker, close } = await connectClient(server);
    const changes = watchToolList(client);
    expect(await toolNames(client)).toEqual(['first']);

    let changed = changes.next();
    const second = server.tool('second', { description: 'Second' }, () => '2');
    await changed;
    expect(await toolNames(client)).toEqual(['first', 'second']);

    changed = changes.next();
    second.disable();
    await changed;
    expect(second.enabled).toBe(false);
    expect(await toolNames(client)).toEqual(['first']);

    changed = changes.next();
    second.enable();
    await changed;
    expect(await toolNames(client)).toEqual(['first', 'second']);

    changed = changes.next();
    second.remove();
    await changed;
    expect(await toolNames(client)).toEqual(['first']);

    expect(changes.count).toBe(4);
    checker.assertClean();
    await close();
  });

  it('notifyListChanged() announces a change Wharf cannot see, once per tick', async () => {
    const server = newServer();
    server.tool('first', { description: 'First' }, () => '1');
    const { client, checker, close } = await connectClient(server);
    const changes = watchToolList(client);
    const changed = changes.next();
    server.notifyListChanged('tools');
    server.notifyListChanged('tools');
    await changed;
    // A round trip after the notification: a second one of the same tick would have arrived first.
    expect(await toolNames(client)).toEqual(['first']);
    expect(changes.count).toBe(1);
    checker.assertClean();
    await close();
  });

  it('a disabled tool cannot be called, and can be again once enabled', async () => {
    const server = newServer();
    const handle = server.tool('secret', { description: 'Secret' }, () => 'the answer');
    const { client, checker, close } = await connectClient(server);
    handle.disable();
    const error = await rejection(client.callTool({ name: 'secret' }));
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/Unknown tool: "secret"/);
    handle.enable();
    expect(textOf(await client.callTool({ name: 'secret' }))).toBe('the answer');
    checker.assertClean();
    await close();
  });

  it('a removed tool frees its name for a new registration', async () => {
    const server = newServer();
    server.tool('v', { description: 'Version 1' }, () => 'one').remove();
    server.tool('v', { description: 'Version 2' }, () => 'two');
    const { client, checker, close } = await connectClient(server);
    expect(textOf(await client.callTool({ name: 'v' }))).toBe('two');
    checker.assertClean();
    await close();
  });

  it('several changes in one tick send a single notification', async () => {
    const server = newServer();
    server.tool('first', { description: 'First' }, () => '1');
    const { client, checker, close } = await connectClient(server);
    const changes = watchToolList(client);
    const changed = changes.next();
    server.tool('a', { description: 'A' }, () => 'a');
    server.tool('b', { description: 'B' }, () => 'b');
    server.tool('c', { description: 'C' }, () => 'c').disable();
    await changed;
    await client.ping(); // anything else queued would have arrived before this answer
    expect(changes.count).toBe(1);
    expect(await toolNames(client)).toEqual(['first', 'a', 'b']);
    checker.assertClean();
    await close();
  });
});
