/**
 * Lifecycle as the official SDK client sees it: version negotiation, the capabilities and server
 * info in the initialize result, and how definitions are shaped for each protocol version.
 */
import { describe, expect, it } from 'vitest';
import { McpServer, type ServerOptions } from 'wharf-mcp';
import { z } from 'zod';
import { withTimeout } from './support/common.js';
import { connectClient } from './support/connect.js';
import { SPEC_VERSIONS, type SpecVersion } from './support/wire-validator.js';

const icons = [{ src: 'https://example.com/icon.png', mimeType: 'image/png', sizes: ['48x48'] }];
const toolMeta = { ui: { resourceUri: 'ui://weather/card' }, 'com.example/owner': { team: 'maps' } };
const resourceMeta = { ui: { csp: { connectDomains: ['https://api.example.com'] } } };
const promptMeta = { 'com.example/category': 'writing' };

const serverOptions: ServerOptions = {
  name: 'lifecycle-server',
  version: '1.2.3',
  title: 'Lifecycle Server',
  description: 'A server for lifecycle tests',
  websiteUrl: 'https://example.com',
  icons,
};

/** A server with one of everything, each carrying every field any version knows. */
function fullServer(options: Partial<ServerOptions> = {}): McpServer {
  const server = new McpServer({ ...serverOptions, ...options });
  server.tool(
    'get_weather',
    {
      title: 'Get weather',
      description: 'Current weather for a city',
      inputSchema: z.object({ city: z.string() }),
      outputSchema: z.object({ temperature: z.number() }),
      annotations: { readOnlyHint: true, openWorldHint: true },
      icons,
      _meta: toolMeta,
    },
    () => ({ temperature: 21 }),
  );
  server.resource(
    'readme',
    'file:///readme.md',
    { title: 'Read me', mimeType: 'text/markdown', icons, _meta: resourceMeta },
    () => '# Hello',
  );
  server.resourceTemplate(
    'user',
    'users://{id}/profile',
    { title: 'User profile', icons, _meta: resourceMeta },
    () => '{}',
  );
  server.prompt(
    'summarize',
    {
      title: 'Summarize',
      description: 'Summarize a text',
      arguments: [{ name: 'text', title: 'Text', description: 'What to summarize', required: true }],
      icons,
      _meta: promptMeta,
    },
    ({ text }) => `Summarize: ${text}`,
  );
  return server;
}

describe('version negotiation', () => {
  it.each(SPEC_VERSIONS)('answers a client asking for %s with that same version', async (version) => {
    const { initializeResult, session, checker, close } = await connectClient(fullServer(), {
      protocolVersion: version,
    });
    expect(initializeResult.protocolVersion).toBe(version);
    expect(session.protocolVersion).toBe(version);
    checker.assertClean();
    await close();
  });

  it('answers a client asking for a version it does not know with the latest, 2025-11-25', async () => {
    const { initializeResult, session, checker, close } = await connectClient(fullServer(), {
      protocolVersion: '2099-01-01',
    });
    expect(initializeResult.protocolVersion).toBe('2025-11-25');
    expect(session.protocolVersion).toBe('2025-11-25');
    checker.assertClean();
    await close();
  });

  it('remembers who the client is and what it declared', async () => {
    const { session, checker, close } = await connectClient(fullServer(), {
      clientInfo: { name: 'inspector', version: '0.9.0' },
      capabilities: { roots: { listChanged: true }, sampling: {} },
    });
    expect(session.state.clientInfo).toEqual({ name: 'inspector', version: '0.9.0' });
    expect(session.state.clientCapabilities).toEqual({ roots: { listChanged: true }, sampling: {} });
    checker.assertClean();
    await close();
  });
});

describe('capabilities follow what is registered', () => {
  it('a server with only tools declares tools and logging, but no prompts, resources or completions', async () => {
    const server = new McpServer({ name: 'tools-only', version: '1.0.0' });
    server.tool('echo', { description: 'Echo' }, () => 'echo');
    const { initializeResult, client, checker, close } = await connectClient(server);
    expect(initializeResult.capabilities).toEqual({ tools: { listChanged: true }, logging: {} });
    expect(client.getServerCapabilities()).toEqual({ tools: { listChanged: true }, logging: {} });
    checker.assertClean();
    await close();
  });

  it('a server with nothing registered declares only logging', async () => {
    const { initializeResult, checker, close } = await connectClient(
      new McpServer({ name: 'e', version: '1' }),
    );
    expect(initializeResult.capabilities).toEqual({ logging: {} });
    checker.assertClean();
    await close();
  });

  it.each(['2025-03-26', '2025-06-18', '2025-11-25'] as const)(
    'a server with prompts and resource templates declares completions under %s',
    async (version) => {
      const server = new McpServer({ name: 'p', version: '1' });
      server.prompt('hello', { description: 'Say hello' }, () => 'Hello!');
      server.resourceTemplate('user', 'users://{id}', {}, () => '{}');
      const { initializeResult, checker, close } = await connectClient(server, { protocolVersion: version });
      expect(initializeResult.capabilities).toEqual({
        logging: {},
        prompts: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        completions: {},
      });
      checker.assertClean();
      await close();
    },
  );

  it('a server with prompts and resource templates declares no completions under 2024-11-05, which has none', async () => {
    const server = new McpServer({ name: 'p', version: '1' });
    server.prompt('hello', { description: 'Say hello' }, () => 'Hello!');
    server.resourceTemplate('user', 'users://{id}', {}, () => '{}');
    const { initializeResult, checker, close } = await connectClient(server, {
      protocolVersion: '2024-11-05',
    });
    expect(initializeResult.capabilities).toEqual({
      logging: {},
      prompts: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
    });
    checker.assertClean();
    await close();
  });

  it('declares completions for templates alone, without prompts', async () => {
    const server = new McpServer({ name: 't', version: '1' });
    server.resourceTemplate('user', 'users://{id}', {}, () => '{}');
    const { initializeResult, checker, close } = await connectClient(server);
    expect(initializeResult.capabilities).toHaveProperty('completions', {});
    checker.assertClean();
    await close();
  });

  it('sends no list_changed for a kind of feature it did not declare to that client', async () => {
    const server = new McpServer({ name: 'tools-only', version: '1.0.0' });
    server.tool('echo', { description: 'Echo' }, () => 'echo');
    const { client, wire, initializeResult, checker, close } = await connectClient(server);
    expect(initializeResult.capabilities).not.toHaveProperty('prompts');
    server.prompt('late', { description: 'Registered after the client connected' }, () => 'hi');
    await client.ping(); // a notification sent before this answer has arrived by now
    const methods = wire.received.flatMap((message) => ('method' in message ? [message.method] : []));
    expect(methods).not.toContain('notifications/prompts/list_changed');
    checker.assertClean();
    await close();
  });

  it('adds the experimental capabilities given in the options', async () => {
    const server = new McpServer({
      name: 'x',
      version: '1',
      capabilities: { experimental: { 'com.example/streaming': { enabled: true } } },
    });
    const { initializeResult, checker, close } = await connectClient(server);
    expect(initializeResult.capabilities).toEqual({
      logging: {},
      experimental: { 'com.example/streaming': { enabled: true } },
    });
    checker.assertClean();
    await close();
  });
});

describe('server info and instructions', () => {
  it('2025-11-25 gets title, description, icons and websiteUrl', async () => {
    const { initializeResult, client, checker, close } = await connectClient(fullServer(), {
      protocolVersion: '2025-11-25',
    });
    expect(initializeResult.serverInfo).toEqual({
      name: 'lifecycle-server',
      version: '1.2.3',
      title: 'Lifecycle Server',
      description: 'A server for lifecycle tests',
      websiteUrl: 'https://example.com',
      icons,
    });
    expect(client.getServerVersion()).toMatchObject({
      title: 'Lifecycle Server',
      websiteUrl: 'https://example.com',
    });
    checker.assertClean();
    await close();
  });

  it('2025-06-18 gets the title, but not description, icons or websiteUrl', async () => {
    const { initializeResult, checker, close } = await connectClient(fullServer(), {
      protocolVersion: '2025-06-18',
    });
    expect(initializeResult.serverInfo).toEqual({
      name: 'lifecycle-server',
      version: '1.2.3',
      title: 'Lifecycle Server',
    });
    checker.assertClean();
    await close();
  });

  it.each(['2024-11-05', '2025-03-26'] as const)('%s gets only name and version', async (version) => {
    const { initializeResult, checker, close } = await connectClient(fullServer(), {
      protocolVersion: version,
    });
    expect(initializeResult.serverInfo).toEqual({ name: 'lifecycle-server', version: '1.2.3' });
    checker.assertClean();
    await close();
  });

  it.each(SPEC_VERSIONS)('passes instructions through unchanged under %s', async (version) => {
    const instructions = 'Call get_weather before answering questions about the weather.';
    const { initializeResult, client, checker, close } = await connectClient(fullServer({ instructions }), {
      protocolVersion: version,
    });
    expect(initializeResult.instructions).toBe(instructions);
    expect(client.getInstructions()).toBe(instructions);
    checker.assertClean();
    await close();
  });

  it('sends no instructions field when none were given', async () => {
    const { initializeResult, checker, close } = await connectClient(fullServer());
    expect(initializeResult).not.toHaveProperty('instructions');
    checker.assertClean();
    await close();
  });
});

/** Which optional tool fields each version's schema has. */
const toolFields: Record<SpecVersion, { present: string[]; absent: string[] }> = {
  '2024-11-05': { present: [], absent: ['title', 'outputSchema', 'annotations', 'icons', '_meta'] },
  '2025-03-26': { present: ['annotations'], absent: ['title', 'outputSchema', 'icons', '_meta'] },
  '2025-06-18': { present: ['title', 'outputSchema', 'annotations', '_meta'], absent: ['icons'] },
  '2025-11-25': { present: ['title', 'outputSchema', 'annotations', 'icons', '_meta'], absent: [] },
};

describe('definitions are shaped for the negotiated version', () => {
  it.each(SPEC_VERSIONS)(
    'tools/list under %s has only the tool fields that version knows',
    async (version) => {
      const { client, resultOf, checker, close } = await connectClient(fullServer(), {
        protocolVersion: version,
      });
      await client.listTools();
      const [tool] = resultOf('tools/list').tools as Record<string, unknown>[];
      const { present, absent } = toolFields[version];
      expect(tool).toMatchObject({
        name: 'get_weather',
        description: 'Current weather for a city',
        inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      });
      for (const field of present) expect(tool).toHaveProperty(field);
      for (const field of absent) expect(tool).not.toHaveProperty(field);
      checker.assertClean();
      await close();
    },
  );

  it('2025-11-25 gets every tool field exactly as registered', async () => {
    const { client, checker, close } = await connectClient(fullServer(), { protocolVersion: '2025-11-25' });
    const { tools } = await client.listTools();
    expect(tools[0]).toMatchObject({
      title: 'Get weather',
      annotations: { readOnlyHint: true, openWorldHint: true },
      icons,
      _meta: toolMeta,
      outputSchema: {
        type: 'object',
        properties: { temperature: { type: 'number' } },
        required: ['temperature'],
      },
    });
    checker.assertClean();
    await close();
  });

  it.each(['2025-06-18', '2025-11-25'] as const)(
    '_meta on tools, resources, templates and prompts passes through untouched under %s',
    async (version) => {
      const { client, resultOf, checker, close } = await connectClient(fullServer(), {
        protocolVersion: version,
      });
      await client.listTools();
      await client.listResources();
      await client.listResourceTemplates();
      await client.listPrompts();
      const first = (method: string, key: string) => (resultOf(method)[key] as Record<string, unknown>[])[0];
      expect(first('tools/list', 'tools')?._meta).toEqual(toolMeta);
      expect(first('resources/list', 'resources')?._meta).toEqual(resourceMeta);
      expect(first('resources/templates/list', 'resourceTemplates')?._meta).toEqual(resourceMeta);
      expect(first('prompts/list', 'prompts')?._meta).toEqual(promptMeta);
      checker.assertClean();
      await close();
    },
  );

  it.each(['2024-11-05', '2025-03-26'] as const)(
    'resources, templates and prompts lose title, icons and _meta under %s',
    async (version) => {
      const { client, resultOf, checker, close } = await connectClient(fullServer(), {
        protocolVersion: version,
      });
      await client.listResources();
      await client.listResourceTemplates();
      await client.listPrompts();
      const first = (method: string, key: string) => (resultOf(method)[key] as Record<string, unknown>[])[0];
      expect(first('resources/list', 'resources')).toEqual({
        uri: 'file:///readme.md',
        name: 'readme',
        mimeType: 'text/markdown',
      });
      expect(first('resources/templates/list', 'resourceTemplates')).toEqual({
        uriTemplate: 'users://{id}/profile',
        name: 'user',
      });
      expect(first('prompts/list', 'prompts')).toEqual({
        name: 'summarize',
        description: 'Summarize a text',
        arguments: [{ name: 'text', description: 'What to summarize', required: true }],
      });
      checker.assertClean();
      await close();
    },
  );

  it('2025-06-18 keeps titles on resources, prompts and prompt arguments, but drops icons', async () => {
    const { client, resultOf, checker, close } = await connectClient(fullServer(), {
      protocolVersion: '2025-06-18',
    });
    await client.listResources();
    await client.listPrompts();
    const [resource] = resultOf('resources/list').resources as Record<string, unknown>[];
    const [prompt] = resultOf('prompts/list').prompts as Record<string, unknown>[];
    expect(resource).toMatchObject({ title: 'Read me' });
    expect(resource).not.toHaveProperty('icons');
    expect(prompt).toMatchObject({ title: 'Summarize', arguments: [{ name: 'text', title: 'Text' }] });
    expect(prompt).not.toHaveProperty('icons');
    checker.assertClean();
    await close();
  });

  it('serves each connected client the shape of its own version at the same time', async () => {
    const server = fullServer();
    const old = await connectClient(server, { protocolVersion: '2024-11-05' });
    const latest = await connectClient(server, { protocolVersion: '2025-11-25' });
    await old.client.listTools();
    await latest.client.listTools();
    expect((old.resultOf('tools/list').tools as object[])[0]).not.toHaveProperty('icons');
    expect((latest.resultOf('tools/list').tools as object[])[0]).toHaveProperty('icons', icons);
    old.checker.assertClean();
    latest.checker.assertClean();
    await old.close();
    await latest.close();
  });
});

describe('ping', () => {
  it.each(SPEC_VERSIONS)('answers ping with an empty result under %s', async (version) => {
    const { client, resultOf, checker, close } = await connectClient(fullServer(), {
      protocolVersion: version,
    });
    await expect(client.ping()).resolves.toEqual({});
    expect(resultOf('ping')).toEqual({});
    checker.assertClean();
    await close();
  });
});

describe('closing', () => {
  it('closing the client ends the server session', async () => {
    const server = fullServer();
    const { session, close, checker } = await connectClient(server);
    expect(server.sessions.has(session)).toBe(true);
    await close();
    expect(session.isClosed).toBe(true);
    expect(server.sessions.has(session)).toBe(false);
    checker.assertClean();
  });

  it('server.close() closes the connection, so the client sees it close', async () => {
    const server = fullServer();
    const { client, checker } = await connectClient(server);
    const closed = new Promise<void>((resolve) => {
      client.onclose = () => resolve();
    });
    await server.close();
    await withTimeout(closed, 'the client to see the connection close');
    checker.assertClean();
  });
});
