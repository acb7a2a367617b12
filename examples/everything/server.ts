/**
 * The "everything server": the fixture the MCP conformance suite expects (14 tools, 3 resources, a
 * resource template, 4 prompts, completion, logging, subscriptions), built on Wharf's public API;
 * `era-2026.ts` adds what the 2026-07-28 scenarios call. `stdio.ts` serves it over stdio;
 * `test/stdio.test.ts` drives it with the official SDK client.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CallToolResult,
  type ContentBlock,
  type Context,
  type ElicitResult,
  type JsonSchemaObject,
  McpServer,
  type PromptMessage,
} from 'wharf-mcp';
import { z } from 'zod';
import { PNG_BASE64, WAV_BASE64 } from './assets.js';
import { registerEra2026Tools } from './era-2026.js';
import { registerTaskTools } from './tasks.js';

export function createEverythingServer(): McpServer {
  const server = new McpServer({ name: 'wharf-everything-server', version: '1.0.0' });
  registerContentTools(server);
  registerNotifyingTools(server);
  registerClientRequestTools(server);
  registerSchemaTools(server);
  registerResources(server);
  registerPrompts(server);
  registerEra2026Tools(server);
  registerTaskTools(server);
  return server;
}

// --- Content helpers -----------------------------------------------------------------------------

const text = (value: string): ContentBlock => ({ type: 'text', text: value });
const image = (): ContentBlock => ({ type: 'image', data: PNG_BASE64, mimeType: 'image/png' });
const embedded = (uri: string, mimeType: string, body: string): ContentBlock => ({
  type: 'resource',
  resource: { uri, mimeType, text: body },
});

/** Waits, but gives up as soon as the request is cancelled or the session closes. */
const pause = (ms: number, ctx: Context) => sleep(ms, undefined, { signal: ctx.signal });

// --- Tools that return fixed content -------------------------------------------------------------

function registerContentTools(server: McpServer): void {
  // The results are constants; Wharf sends a handler's full CallToolResult as it is.
  const fixed = (name: string, description: string, result: string | CallToolResult) =>
    server.tool(name, { description }, () => result);
  fixed('test_simple_text', 'Returns a simple text response', 'This is a simple text response for testing.');
  fixed('test_image_content', 'Returns a 1x1 PNG image', { content: [image()] });
  fixed('test_audio_content', 'Returns a short WAV audio clip', {
    content: [{ type: 'audio', data: WAV_BASE64, mimeType: 'audio/wav' }],
  });
  fixed('test_embedded_resource', 'Returns an embedded text resource', {
    content: [embedded('test://embedded-resource', 'text/plain', 'This is an embedded resource content.')],
  });
  fixed('test_multiple_content_types', 'Returns text, an image and an embedded resource together', {
    content: [
      text('Multiple content types test:'),
      image(),
      embedded('test://mixed-content-resource', 'application/json', '{"test":"data","value":123}'),
    ],
  });
  fixed('test_error_handling', 'Always fails, as a tool error result (not a JSON-RPC error)', {
    isError: true,
    content: [text('This tool intentionally returns an error for testing')],
  });
}

// --- Tools that notify while they run (logs, progress) --------------------------------------------

function registerNotifyingTools(server: McpServer): void {
  server.tool('test_tool_with_logging', { description: 'Logs three info messages' }, async (_args, ctx) => {
    await ctx.log('info', 'Tool execution started');
    await pause(50, ctx);
    await ctx.log('info', 'Tool processing data');
    await pause(50, ctx);
    await ctx.log('info', 'Tool execution completed');
    return 'Tool with logging executed successfully';
  });
  server.tool('test_tool_with_progress', { description: 'Reports progress 0-100' }, async (_args, ctx) => {
    for (const step of [0, 50, 100]) {
      if (step > 0) await pause(50, ctx);
      await ctx.progress(step, 100);
    }
    // The SDK client (1.32) loses a progress notification read in the same chunk as the result:
    // the response drops the progress handler before the notification's deferred handler runs.
    await pause(50, ctx);
    return 'Progress tool completed';
  });
  // Over HTTP (with an event store) the result must reach the client on a resumed stream: close the
  // request's SSE stream first, so the client reconnects with Last-Event-ID. On stdio this only waits.
  server.tool('test_reconnection', { description: 'Closes its SSE stream; answers' }, async (_args, ctx) => {
    ctx.closeStream();
    await pause(100, ctx);
    return 'Reconnection test completed';
  });
}

// --- Tools that ask the client (sampling, elicitation) --------------------------------------------

const describeAnswer = ({ action, content }: ElicitResult) =>
  `action=${action}, content=${JSON.stringify(content ?? {})}`;

const USER_DETAILS: JsonSchemaObject = {
  type: 'object',
  properties: { username: { type: 'string' }, email: { type: 'string' } },
  required: ['username', 'email'],
};

const SEP1034_DEFAULTS: JsonSchemaObject = {
  type: 'object',
  properties: {
    name: { type: 'string', default: 'John Doe' },
    age: { type: 'integer', default: 30 },
    score: { type: 'number', default: 95.5 },
    status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
    verified: { type: 'boolean', default: true },
  },
};

const choices = ['red', 'green', 'blue'];
const titled = choices.map((value) => ({ const: value, title: value.toUpperCase() }));
const SEP1330_ENUMS: JsonSchemaObject = {
  type: 'object',
  properties: {
    untitledSingle: { type: 'string', enum: choices },
    titledSingle: { type: 'string', oneOf: titled },
    legacyEnum: { type: 'string', enum: choices, enumNames: titled.map((choice) => choice.title) },
    untitledMulti: { type: 'array', items: { type: 'string', enum: choices } },
    titledMulti: { type: 'array', items: { anyOf: titled } },
  },
};

function registerClientRequestTools(server: McpServer): void {
  const sampling = { description: "Asks the client's model", inputSchema: z.object({ prompt: z.string() }) };
  server.tool('test_sampling', sampling, async ({ prompt }, ctx) => {
    const { content } = await ctx.sample({
      messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
      maxTokens: 100,
    });
    return `LLM response: ${content.type === 'text' ? content.text : `(${content.type} content)`}`;
  });
  const elicitation = {
    description: 'Asks for user details',
    inputSchema: z.object({ message: z.string() }),
  };
  server.tool('test_elicitation', elicitation, async ({ message }, ctx) => {
    const answer = await ctx.elicit({ message, requestedSchema: USER_DETAILS });
    return `User response: ${describeAnswer(answer)}`;
  });
  server.tool(
    'test_elicitation_sep1034_defaults',
    { description: 'SEP-1034 defaults' },
    async (_args, ctx) => {
      const answer = await ctx.elicit({ message: 'Check the defaults', requestedSchema: SEP1034_DEFAULTS });
      return `Elicitation completed: ${describeAnswer(answer)}`;
    },
  );
  server.tool(
    'test_elicitation_sep1330_enums',
    { description: 'SEP-1330 enum fields' },
    async (_args, ctx) => {
      const answer = await ctx.elicit({ message: 'Pick some colours', requestedSchema: SEP1330_ENUMS });
      return `Elicitation completed: ${describeAnswer(answer)}`;
    },
  );
}

// --- A raw JSON Schema, sent exactly as written -------------------------------------------------

function registerSchemaTools(server: McpServer): void {
  server.tool(
    'json_schema_2020_12_tool',
    {
      description: 'Takes arguments described by a raw JSON Schema 2020-12 ($defs, $ref)',
      inputSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        $defs: {
          address: {
            $anchor: 'addressDef',
            type: 'object',
            properties: { street: { type: 'string' }, city: { type: 'string' } },
          },
        },
        properties: {
          name: { type: 'string' },
          address: { $ref: '#/$defs/address' },
          contactMethod: { type: 'string', enum: ['phone', 'email'] },
          phone: { type: 'string' },
          email: { type: 'string' },
        },
        allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
        if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
        // biome-ignore lint/suspicious/noThenProperty: the JSON Schema keyword; not a function, so never a thenable
        then: { required: ['phone'] },
        else: { required: ['email'] },
        additionalProperties: false,
      },
    },
    (args) => `Received: ${JSON.stringify(args)}`,
  );
}

// --- Resources ----------------------------------------------------------------------------------

function registerResources(server: McpServer): void {
  server.resource(
    'static-text',
    'test://static-text',
    { description: 'A static text resource', mimeType: 'text/plain' },
    () => 'This is the content of the static text resource.',
  );
  server.resource(
    'static-binary',
    'test://static-binary',
    { description: 'A static 1x1 PNG image', mimeType: 'image/png' },
    () => ({ blob: PNG_BASE64 }),
  );
  server.resource(
    'watched-resource',
    'test://watched-resource',
    { description: 'A resource clients can subscribe to', mimeType: 'text/plain' },
    () => 'Watched resource content',
  );
  server.resourceTemplate(
    'template-data',
    'test://template/{id}/data',
    { description: 'JSON data for any id', mimeType: 'application/json' },
    (_uri, { id }) =>
      JSON.stringify({ id: String(id), templateTest: true, data: `Data for ID: ${String(id)}` }),
  );
}

// --- Prompts ------------------------------------------------------------------------------------

const ARG1_SUGGESTIONS = ['testValue1', 'testValue2', 'test-case', 'sample', 'example'];

function registerPrompts(server: McpServer): void {
  server.prompt(
    'test_simple_prompt',
    { description: 'A prompt without arguments' },
    () => 'This is a simple prompt for testing.',
  );
  server.prompt(
    'test_prompt_with_arguments',
    {
      description: 'A prompt with two required arguments',
      arguments: z.object({
        arg1: z.string().describe('First test argument'),
        arg2: z.string().describe('Second test argument'),
      }),
      complete: { arg1: (typed) => ARG1_SUGGESTIONS.filter((value) => value.startsWith(typed)) },
    },
    ({ arg1, arg2 }) => `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`,
  );
  server.prompt(
    'test_prompt_with_embedded_resource',
    {
      description: 'A prompt that embeds a resource',
      arguments: z.object({ resourceUri: z.string().describe('URI of the resource to embed') }),
    },
    ({ resourceUri }): PromptMessage[] => [
      {
        role: 'user',
        content: embedded(resourceUri, 'text/plain', 'Embedded resource content for testing.'),
      },
      { role: 'user', content: text('Please process the embedded resource above.') },
    ],
  );
  server.prompt('test_prompt_with_image', { description: 'A prompt that includes an image' }, () => [
    { role: 'user', content: image() },
    { role: 'user', content: text('Please analyze the image above.') },
  ]);
}
