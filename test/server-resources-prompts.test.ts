/**
 * Resources, resource templates, subscriptions, prompts and completion through the official SDK
 * client.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ResourceUpdatedNotificationSchema,
  McpError as SdkMcpError,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { McpError, McpServer } from 'wharf-mcp';
import { z } from 'zod';
import { connectClient } from './support/connect.js';

async function rejection(call: Promise<unknown>): Promise<SdkMcpError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(SdkMcpError);
    return error as SdkMcpError;
  }
  throw new Error('expected the request to fail');
}

function resourceServer(): McpServer {
  const server = new McpServer({ name: 'resources-server', version: '1.0.0' });
  server.resource(
    'notes',
    'file:///notes.txt',
    { description: 'Meeting notes', mimeType: 'text/plain' },
    () => 'Buy milk',
  );
  server.resource('logo', 'app://logo.png', { mimeType: 'image/png' }, () => new Uint8Array([0, 1, 2, 255]));
  server.resource('bundle', 'app://bundle', { description: 'Two parts' }, () => ({
    contents: [
      { uri: 'app://bundle#1', mimeType: 'text/plain', text: 'part one' },
      { uri: 'app://bundle#2', mimeType: 'application/octet-stream', blob: 'AAE=' },
    ],
    _meta: { 'com.example/etag': 'v7' },
  }));
  server.resource('config', 'app://config', { mimeType: 'application/json' }, () => ({
    text: '{"debug":false}',
  }));
  server.resourceTemplate(
    'user profile',
    'users://{id}/profile',
    { description: 'A user profile', mimeType: 'application/json' },
    (_uri, { id }) => JSON.stringify({ id }),
  );
  server.resourceTemplate(
    'repository file',
    'repo://{owner}/{+path}',
    { mimeType: 'text/plain' },
    (uri, variables) => JSON.stringify({ uri, ...variables }),
  );
  return server;
}

describe('resources', () => {
  it('lists the registered resources with their metadata', async () => {
    const { client, checker, close } = await connectClient(resourceServer());
    const { resources } = await client.listResources();
    expect(resources).toEqual([
      { uri: 'file:///notes.txt', name: 'notes', description: 'Meeting notes', mimeType: 'text/plain' },
      { uri: 'app://logo.png', name: 'logo', mimeType: 'image/png' },
      { uri: 'app://bundle', name: 'bundle', description: 'Two parts' },
      { uri: 'app://config', name: 'config', mimeType: 'application/json' },
    ]);
    checker.assertClean();
    await close();
  });

  it('reads a string as text, with the URI and the registered mimeType', async () => {
    const { client, checker, close } = await connectClient(resourceServer());
    expect(await client.readResource({ uri: 'file:///notes.txt' })).toEqual({
      contents: [{ uri: 'file:///notes.txt', mimeType: 'text/plain', text: 'Buy milk' }],
    });
    checker.assertClean();
    await close();
  });

  it('reads bytes as a base64 blob', async () => {
    const { client, checker, close } = await connectClient(resourceServer());
    expect(await client.readResource({ uri: 'app://logo.png' })).toEqual({
      contents: [{ uri: 'app://logo.png', mimeType: 'image/png', blob: 'AAEC/w==' }],
    });
    checker.assertClean();
    await close();
  });

  it('passes a full ReadResourceResult through unchanged', async () => {
    const { client, resultOf, checker, close } = await connectClient(resourceServer());
    await client.readResource({ uri: 'app://bundle' });
    expect(resultOf('resources/read')).toEqual({
      contents: [
        { uri: 'app://bundle#1', mimeType: 'text/plain', text: 'part one' },
        { uri: 'app://bundle#2', mimeType: 'application/octet-stream', blob: 'AAE=' },
      ],
      _meta: { 'com.example/etag': 'v7' },
    });
    checker.assertClean();
    await close();
  });

  it('fills in the URI and mimeType of a partial contents object', async () => {
    const { client, checker, close } = await connectClient(resourceServer());
    expect(await client.readResource({ uri: 'app://config' })).toEqual({
      contents: [{ uri: 'app://config', mimeType: 'application/json', text: '{"debug":false}' }],
    });
    checker.assertClean();
    await close();
  });

  it('answers an unknown URI with -32002 (resource not found) carrying the URI', async () => {
    const { client, checker, close } = await connectClient(resourceServer());
    const error = await rejection(client.readResource({ uri: 'file:///missing.txt' }));
    expect(error.code).toBe(-32002);
    expect(error.message).toMatch(/Resource not found: "file:\/\/\/missing\.txt"/);
    expect(error.data).toEqual({ uri: 'file:///missing.txt' });
    checker.assertClean();
    await close();
  });

  it('turns a throwing handler into -32603 that names the resource, hides the cause and tells onError', async () => {
    const heard: [unknown, string | undefined][] = [];
    const server = new McpServer({ name: 'r', version: '1', onError: (e, where) => heard.push([e, where]) });
    const cause = new Error('disk /var/secret unreadable');
    server.resource('broken', 'app://broken', {}, () => {
      throw cause;
    });
    const { client, checker, close } = await connectClient(server);
    const error = await rejection(client.readResource({ uri: 'app://broken' }));
    expect(error.code).toBe(-32603);
    expect(error.message).toMatch(/Reading resource "app:\/\/broken" failed/);
    expect(error.message).not.toContain('/var/secret');
    expect(heard).toEqual([[cause, 'Reading resource "app://broken"']]);
    checker.assertClean();
    await close();
  });

  it('a template handler throwing McpError.resourceNotFound(uri) is a JSON-RPC error -32002', async () => {
    const server = new McpServer({ name: 'r', version: '1' });
    server.resourceTemplate('user', 'users://{id}', {}, (uri, { id }) => {
      if (id !== '1') throw McpError.resourceNotFound(uri);
      return 'Ada';
    });
    const { client, checker, close } = await connectClient(server);
    expect(await client.readResource({ uri: 'users://1' })).toEqual({
      contents: [{ uri: 'users://1', text: 'Ada' }],
    });
    const error = await rejection(client.readResource({ uri: 'users://2' }));
    expect(error.code).toBe(-32002);
    expect(error.message).toMatch(/Resource not found: "users:\/\/2"/);
    expect(error.data).toEqual({ uri: 'users://2' });
    checker.assertClean();
    await close();
  });

  it.each([
    ['a string', 'disk unreadable'],
    ['an object', { code: 'E1', detail: 'x' }],
    ['a number', 42],
  ])(
    'a handler that throws %s: the client learns what failed, onError gets the value',
    async (_kind, thrown) => {
      const heard: unknown[] = [];
      const server = new McpServer({ name: 'r', version: '1', onError: (e) => heard.push(e) });
      server.resource('broken', 'app://broken', {}, () => {
        throw thrown;
      });
      const { client, checker, close } = await connectClient(server);
      const error = await rejection(client.readResource({ uri: 'app://broken' }));
      expect(error.code).toBe(-32603);
      expect(error.message).toContain('Reading resource "app://broken" failed');
      expect(heard).toEqual([thrown]);
      checker.assertClean();
      await close();
    },
  );
});

describe('resource templates', () => {
  it('lists the templates', async () => {
    const { client, checker, close } = await connectClient(resourceServer());
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates).toEqual([
      {
        uriTemplate: 'users://{id}/profile',
        name: 'user profile',
        description: 'A user profile',
        mimeType: 'application/json',
      },
      { uriTemplate: 'repo://{owner}/{+path}', name: 'repository file', mimeType: 'text/plain' },
    ]);
    checker.assertClean();
    await close();
  });

  it('reads a URI that matches a template, passing the variables to the handler', async () => {
    const { client, checker, close } = await connectClient(resourceServer());
    expect(await client.readResource({ uri: 'users://42/profile' })).toEqual({
      contents: [{ uri: 'users://42/profile', mimeType: 'application/json', text: '{"id":"42"}' }],
    });
    checker.assertClean();
    await close();
  });

  it('a {+path} variable spans slashes, and values are percent-decoded', async () => {
    const { client, checker, close } = await connectClient(resourceServer());
    const uri = 'repo://ada/docs/guide/getting%20started.md';
    const result = await client.readResource({ uri });
    const [contents] = result.contents;
    expect(contents?.mimeType).toBe('text/plain');
    expect(JSON.parse(String(contents && 'text' in contents ? contents.text : ''))).toEqual({
      uri,
      owner: 'ada',
      path: 'docs/guide/getting started.md',
    });
    checker.assertClean();
    await close();
  });

  it('a URI that matches no template is not found', async () => {
    const { client, checker, close } = await connectClient(resourceServer());
    const error = await rejection(client.readResource({ uri: 'users://42/settings' }));
    expect(error.code).toBe(-32002);
    checker.assertClean();
    await close();
  });
});

describe('resource subscriptions', () => {
  function collectUpdates(client: Client): string[] {
    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      updates.push(notification.params.uri);
    });
    return updates;
  }

  it('notifyResourceUpdated reaches only the clients subscribed to that URI, until they unsubscribe', async () => {
    const server = resourceServer();
    const subscribed = await connectClient(server);
    const other = await connectClient(server);
    const subscribedUpdates = collectUpdates(subscribed.client);
    const otherUpdates = collectUpdates(other.client);

    await subscribed.client.subscribeResource({ uri: 'app://config' });
    await other.client.subscribeResource({ uri: 'file:///notes.txt' });
    server.notifyResourceUpdated('app://config');
    // A ping answered after the notification means the notification, if any, has arrived.
    await subscribed.client.ping();
    await other.client.ping();
    expect(subscribedUpdates).toEqual(['app://config']);
    expect(otherUpdates).toEqual([]);

    await subscribed.client.unsubscribeResource({ uri: 'app://config' });
    server.notifyResourceUpdated('app://config');
    server.notifyResourceUpdated('file:///notes.txt');
    await subscribed.client.ping();
    await other.client.ping();
    expect(subscribedUpdates).toEqual(['app://config']);
    expect(otherUpdates).toEqual(['file:///notes.txt']);

    subscribed.checker.assertClean();
    other.checker.assertClean();
    await subscribed.close();
    await other.close();
  });

  it('works under 2024-11-05 too', async () => {
    const server = resourceServer();
    const { client, checker, close } = await connectClient(server, { protocolVersion: '2024-11-05' });
    const updates = collectUpdates(client);
    await client.subscribeResource({ uri: 'users://42/profile' });
    server.notifyResourceUpdated('users://42/profile');
    await client.ping();
    expect(updates).toEqual(['users://42/profile']);
    checker.assertClean();
    await close();
  });
});

const LANGUAGES = ['go', 'haskell', 'javascript', 'java', 'python', 'perl', 'php', 'rust', 'typescript'];

function promptServer(): McpServer {
  const server = new McpServer({ name: 'prompts-server', version: '1.0.0' });
  server.prompt(
    'code_review',
    {
      description: 'Review a piece of code',
      arguments: z.object({
        code: z.string().describe('The code to review'),
        language: z.string().optional().describe('Its programming language'),
      }),
      complete: {
        language: (value) => LANGUAGES.filter((language) => language.startsWith(value)),
      },
    },
    (args) => {
      expectTypeOf(args).toEqualTypeOf<{ code: string; language?: string | undefined }>();
      return `Review this ${args.language ?? 'code'}:\n${args.code}`;
    },
  );
  server.prompt(
    'translate',
    {
      description: 'Translate a text',
      arguments: [
        { name: 'text', description: 'What to translate', required: true },
        { name: 'target', description: 'Target language' },
      ],
      complete: {
        // Suggestions may depend on the arguments already filled in.
        target: (value, { arguments: filled }) =>
          (filled.text?.startsWith('Bonjour')
            ? ['english', 'german']
            : ['english', 'french', 'german']
          ).filter((language) => language.startsWith(value)),
      },
    },
    (args) => [
      {
        role: 'user',
        content: { type: 'text', text: `Translate to ${args.target ?? 'english'}: ${args.text}` },
      },
    ],
  );
  server.prompt(
    'many',
    {
      description: 'An argument with many possible values',
      arguments: [{ name: 'n', required: true }],
      complete: { n: () => Array.from({ length: 250 }, (_, i) => String(i)) },
    },
    ({ n }) => `n=${n}`,
  );
  server.resourceTemplate(
    'user profile',
    'users://{id}/profile',
    {
      complete: { id: (value) => ['alice', 'albert', 'bob'].filter((id) => id.startsWith(value)) },
    },
    (_uri, { id }) => String(id),
  );
  return server;
}

describe('prompts', () => {
  it('lists arguments from a zod schema with their required flags and descriptions, and a plain list as given', async () => {
    const { client, checker, close } = await connectClient(promptServer());
    const { prompts } = await client.listPrompts();
    expect(prompts.slice(0, 2)).toEqual([
      {
        name: 'code_review',
        description: 'Review a piece of code',
        arguments: [
          { name: 'code', description: 'The code to review', required: true },
          { name: 'language', description: 'Its programming language', required: false },
        ],
      },
      {
        name: 'translate',
        description: 'Translate a text',
        arguments: [
          { name: 'text', description: 'What to translate', required: true },
          { name: 'target', description: 'Target language' },
        ],
      },
    ]);
    checker.assertClean();
    await close();
  });

  it('gets a prompt from a schema: a string becomes one user message', async () => {
    const { client, checker, close } = await connectClient(promptServer());
    const result = await client.getPrompt({
      name: 'code_review',
      arguments: { code: 'let x = 1', language: 'rust' },
    });
    expect(result).toEqual({
      messages: [{ role: 'user', content: { type: 'text', text: 'Review this rust:\nlet x = 1' } }],
    });
    checker.assertClean();
    await close();
  });

  it('gets a prompt from a plain list: a message list is sent as the messages', async () => {
    const { client, checker, close } = await connectClient(promptServer());
    const result = await client.getPrompt({ name: 'translate', arguments: { text: 'Hallo' } });
    expect(result.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Translate to english: Hallo' } },
    ]);
    checker.assertClean();
    await close();
  });

  it.each([
    ['code_review', { language: 'go' }, /missing required argument\(s\): code/],
    ['translate', { target: 'german' }, /missing required argument\(s\): text/],
  ])('rejects %s without a required argument with -32602', async (name, args, message) => {
    const { client, checker, close } = await connectClient(promptServer());
    const error = await rejection(client.getPrompt({ name, arguments: args }));
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(message);
    checker.assertClean();
    await close();
  });

  it('rejects a non-string argument with -32602', async () => {
    const { client, checker, close } = await connectClient(promptServer());
    const error = await rejection(
      client.getPrompt({ name: 'translate', arguments: { text: 42 as unknown as string } }),
    );
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/Argument "text" of prompt "translate" must be a string/);
    checker.assertClean();
    await close();
  });

  it('a handler that throws keeps its code if it is an McpError; anything else goes to onError', async () => {
    const heard: [unknown, string | undefined][] = [];
    const server = new McpServer({ name: 'p', version: '1', onError: (e, where) => heard.push([e, where]) });
    server.prompt('strict', { description: 'Refuses' }, () => {
      throw McpError.invalidParams('Pick a language first.', { field: 'language' });
    });
    server.prompt('odd', { description: 'Throws an object' }, () => {
      throw { code: 'E1', detail: 'x' };
    });
    const { client, checker, close } = await connectClient(server);
    const refused = await rejection(client.getPrompt({ name: 'strict' }));
    expect([refused.code, refused.message, refused.data]).toEqual([
      -32602,
      expect.stringContaining('Pick a language first.'),
      { field: 'language' },
    ]);
    const odd = await rejection(client.getPrompt({ name: 'odd' }));
    expect(odd.code).toBe(-32603);
    expect(odd.message).toContain('Getting prompt "odd" failed');
    expect(odd.message).not.toContain('E1');
    expect(heard).toEqual([[{ code: 'E1', detail: 'x' }, 'Getting prompt "odd"']]);
    checker.assertClean();
    await close();
  });

  it('rejects an unknown prompt with -32602', async () => {
    const { client, checker, close } = await connectClient(promptServer());
    const error = await rejection(client.getPrompt({ name: 'nope' }));
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/Unknown prompt: "nope"/);
    checker.assertClean();
    await close();
  });
});

describe('completion', () => {
  it('completes a prompt argument, filtered by what was typed', async () => {
    const { client, checker, close } = await connectClient(promptServer());
    const result = await client.complete({
      ref: { type: 'ref/prompt', name: 'code_review' },
      argument: { name: 'language', value: 'p' },
    });
    expect(result.completion).toEqual({ values: ['python', 'perl', 'php'], total: 3, hasMore: false });
    checker.assertClean();
    await close();
  });

  it('passes the arguments already filled in to the completer', async () => {
    const { client, checker, close } = await connectClient(promptServer());
    const result = await client.complete({
      ref: { type: 'ref/prompt', name: 'translate' },
      argument: { name: 'target', value: '' },
      context: { arguments: { text: 'Bonjour' } },
    });
    expect(result.completion.values).toEqual(['english', 'german']);
    checker.assertClean();
    await close();
  });

  it('completes a template variable, filtered by what was typed', async () => {
    const { client, checker, close } = await connectClient(promptServer());
    const result = await client.complete({
      ref: { type: 'ref/resource', uri: 'users://{id}/profile' },
      argument: { name: 'id', value: 'al' },
    });
    expect(result.completion).toEqual({ values: ['alice', 'albert'], total: 2, hasMore: false });
    checker.assertClean();
    await close();
  });

  it('caps the answer at 100 values, with hasMore and the full total', async () => {
    const { client, checker, close } = await connectClient(promptServer());
    const result = await client.complete({
      ref: { type: 'ref/prompt', name: 'many' },
      argument: { name: 'n', value: '' },
    });
    expect(result.completion.values).toHaveLength(100);
    expect(result.completion.values[99]).toBe('99');
    expect(result.completion.total).toBe(250);
    expect(result.completion.hasMore).toBe(true);
    checker.assertClean();
    await close();
  });

  it('answers an argument without a completer with no values', async () => {
    const { client, checker, close } = await connectClient(promptServer());
    const result = await client.complete({
      ref: { type: 'ref/prompt', name: 'code_review' },
      argument: { name: 'code', value: 'fn' },
    });
    expect(result.completion).toEqual({ values: [], total: 0, hasMore: false });
    checker.assertClean();
    await close();
  });

  it('rejects completion for an unknown prompt with -32602', async () => {
    const { client, checker, close } = await connectClient(promptServer());
    const error = await rejection(
      client.complete({ ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'x', value: '' } }),
    );
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/Unknown prompt: "nope"/);
    checker.assertClean();
    await close();
  });

  it('rejects completion for an unknown resource template with -32602', async () => {
    const { client, checker, close } = await connectClient(promptServer());
    const error = await rejection(
      client.complete({
        ref: { type: 'ref/resource', uri: 'users://{name}' },
        argument: { name: 'name', value: '' },
      }),
    );
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/Unknown resource template/);
    checker.assertClean();
    await close();
  });
});
