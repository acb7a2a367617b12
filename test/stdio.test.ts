/**
 * The everything server (examples/everything) in a real child process, driven over stdio by the
 * official SDK client. Every message the server sends is validated against the negotiated
 * revision's schema.json by the WireChecker.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  type CreateMessageRequest,
  CreateMessageRequestSchema,
  type ElicitRequestFormParams,
  ElicitRequestSchema,
  type ElicitResult,
  ErrorCode,
  ListRootsRequestSchema,
  type LoggingMessageNotification,
  LoggingMessageNotificationSchema,
  McpError,
  type Progress,
  PromptListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { textOf, withTimeout } from './support/common.js';
import { checkedTransport, WireChecker } from './support/wire-validator.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER_ARGS = ['--import', 'tsx', 'examples/everything/stdio.ts'];
const HOOK_TIMEOUT = 20_000;

/** The schema conformance 0.2 expects, byte for byte (SEP-1613 and SEP-2106 keywords). */
const RAW_2020_12_SCHEMA = {
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
};

/** The tools of server.ts (what conformance 0.1 calls). */
const TOOL_NAMES_2025 = [
  'json_schema_2020_12_tool',
  'test_audio_content',
  'test_elicitation',
  'test_elicitation_sep1034_defaults',
  'test_elicitation_sep1330_enums',
  'test_embedded_resource',
  'test_error_handling',
  'test_image_content',
  'test_multiple_content_types',
  'test_reconnection',
  'test_sampling',
  'test_simple_text',
  'test_tool_with_logging',
  'test_tool_with_progress',
];

/** The tools of era-2026.ts: what conformance 0.2 calls under 2026-07-28. */
const TOOL_NAMES_2026 = [
  'test_header_param',
  'test_input_required_result_capabilities',
  'test_input_required_result_elicitation',
  'test_input_required_result_list_roots',
  'test_input_required_result_multi_round',
  'test_input_required_result_multiple_inputs',
  'test_input_required_result_request_state',
  'test_input_required_result_sampling',
  'test_input_required_result_tampered_state',
  'test_logging_tool',
  'test_missing_capability',
  'test_streaming_elicitation',
  'test_trigger_prompt_change',
  'test_trigger_tool_change',
];

/** The tools of tasks.ts: what the tasks extension scenarios call (.ci/conformance-2026.md, section 3b). */
const TOOL_NAMES_TASKS = [
  'confirm_delete',
  'failing_job',
  'greet',
  'multi_input',
  'protocol_error_job',
  'slow_compute',
  'test_tool_with_task',
];

const TOOL_NAMES = [...TOOL_NAMES_2025, ...TOOL_NAMES_2026, ...TOOL_NAMES_TASKS].sort();

/** Decodes base64 and checks it is a PNG whose IHDR says 1x1. */
function expectOnePixelPng(base64: unknown): void {
  const bytes = Buffer.from(String(base64), 'base64');
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1, 1]);
}

/** Checks an MCP error without caring how the SDK words its prefix. */
async function expectMcpError(promise: Promise<unknown>, code: number, text: string | RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(McpError);
  expect((error as McpError).code).toBe(code);
  expect((error as McpError).message).toMatch(text);
}

/** The shape of one elicitation enum field, as far as these tests look. */
interface EnumField {
  type?: string;
  enum?: unknown[];
  enumNames?: unknown[];
  oneOf?: unknown[];
  items?: { type?: string; enum?: unknown[]; anyOf?: unknown[] };
}

/** A WireChecker that also keeps what the server sent, in wire order. */
class RecordingChecker extends WireChecker {
  readonly received: unknown[] = [];
  override serverSent(message: unknown): void {
    this.received.push(message);
    super.serverSent(message);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('everything server over stdio, with the official SDK client', () => {
  const checker = new RecordingChecker();
  let transport: StdioClientTransport;
  let client: Client;
  let stderr = '';
  const logs: LoggingMessageNotification['params'][] = [];
  const samplingRequests: CreateMessageRequest['params'][] = [];
  const elicitRequests: ElicitRequestFormParams[] = [];
  let elicitAnswer: ElicitResult = { action: 'decline' };
  /** What the SDK client reports through onerror (unknown ids, dropped notifications, bad JSON). */
  const clientErrors: string[] = [];

  beforeAll(async () => {
    transport = new StdioClientTransport({
      command: process.execPath,
      args: SERVER_ARGS,
      cwd: ROOT,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    client = new Client(
      { name: 'wharf-stdio-test', version: '1.0.0' },
      { capabilities: { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } } },
    );
    client.setRequestHandler(CreateMessageRequestSchema, (request) => {
      samplingRequests.push(request.params);
      const first = request.params.messages[0]?.content;
      const asked = first && 'type' in first && first.type === 'text' ? first.text : '?';
      return {
        role: 'assistant',
        content: { type: 'text', text: `Echo: ${asked}` },
        model: 'stub-model',
        stopReason: 'endTurn',
      };
    });
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      if (request.params.mode === 'url') throw new Error('the everything server only elicits forms');
      elicitRequests.push(request.params);
      return elicitAnswer;
    });
    client.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: [{ uri: 'file:///tmp/project', name: 'project' }],
    }));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      logs.push(notification.params);
    });
    client.onerror = (error) => clientErrors.push(error.message);
    await client.connect(checkedTransport(transport, checker));
  }, HOOK_TIMEOUT);

  afterEach(() => {
    checker.assertClean();
    expect(clientErrors).toEqual([]);
  });

  afterAll(async () => {
    const pid = transport?.pid;
    await client?.close();
    if (pid !== null && pid !== undefined) expect(isAlive(pid)).toBe(false);
  }, HOOK_TIMEOUT);

  describe('initialize', () => {
    it('negotiates the latest revision and announces what is registered', () => {
      expect(checker.version).toBe('2025-11-25');
      expect(client.getServerVersion()).toEqual({ name: 'wharf-everything-server', version: '1.0.0' });
      expect(client.getServerCapabilities()).toEqual({
        logging: {},
        completions: {},
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
      });
      expect(stderr).toContain('everything server on stdio');
    });

    it('answers ping with an empty result', async () => {
      expect(await client.ping()).toEqual({});
    });
  });

  describe('tools/list', () => {
    it('lists the tools of all three files, each with a description and an object input schema', async () => {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(TOOL_NAMES);
      for (const tool of tools) {
        expect(tool.description, tool.name).toMatch(/\S/);
        expect(tool.inputSchema.type, tool.name).toBe('object');
      }
      const byName = new Map(tools.map((tool) => [tool.name, tool]));
      expect(byName.get('test_simple_text')?.inputSchema).toEqual({ type: 'object', properties: {} });
      expect(byName.get('test_sampling')?.inputSchema).toMatchObject({
        properties: { prompt: { type: 'string' } },
        required: ['prompt'],
      });
      expect(byName.get('test_elicitation')?.inputSchema).toMatchObject({
        properties: { message: { type: 'string' } },
        required: ['message'],
      });
    });

    it('sends the raw JSON Schema 2020-12 exactly as registered', async () => {
      const { tools } = await client.listTools();
      const tool = tools.find((candidate) => candidate.name === 'json_schema_2020_12_tool');
      expect(tool?.inputSchema).toStrictEqual(RAW_2020_12_SCHEMA);
    });
  });

  describe('tools/call: fixed content', () => {
    it('test_simple_text returns the contract text', async () => {
      expect(await client.callTool({ name: 'test_simple_text' })).toEqual({
        content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
      });
    });

    it('test_image_content returns a 1x1 PNG', async () => {
      const result = await client.callTool({ name: 'test_image_content' });
      expect(result.content).toEqual([{ type: 'image', data: expect.any(String), mimeType: 'image/png' }]);
      expectOnePixelPng((result.content as { data: string }[])[0]?.data);
    });

    it('test_audio_content returns a WAV file as audio/wav', async () => {
      const result = await client.callTool({ name: 'test_audio_content' });
      expect(result.content).toEqual([{ type: 'audio', data: expect.any(String), mimeType: 'audio/wav' }]);
      const bytes = Buffer.from((result.content as { data: string }[])[0]?.data ?? '', 'base64');
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
      expect(bytes.subarray(8, 12).toString('latin1')).toBe('WAVE');
    });

    it('test_embedded_resource returns the embedded text resource', async () => {
      expect(await client.callTool({ name: 'test_embedded_resource' })).toEqual({
        content: [
          {
            type: 'resource',
            resource: {
              uri: 'test://embedded-resource',
              mimeType: 'text/plain',
              text: 'This is an embedded resource content.',
            },
          },
        ],
      });
    });

    it('test_multiple_content_types returns text, image and resource', async () => {
      const result = await client.callTool({ name: 'test_multiple_content_types' });
      expect(result.content).toEqual([
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: expect.any(String), mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: '{"test":"data","value":123}',
          },
        },
      ]);
      expectOnePixelPng((result.content as { data?: string }[])[1]?.data);
    });

    it('test_error_handling returns a tool error result, not a JSON-RPC error', async () => {
      expect(await client.callTool({ name: 'test_error_handling' })).toEqual({
        isError: true,
        content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }],
      });
    });

    it('test_reconnection waits, then answers with text', async () => {
      const started = performance.now();
      const result = await client.callTool({ name: 'test_reconnection' });
      expect(performance.now() - started).toBeGreaterThanOrEqual(90);
      expect(result).toEqual({ content: [{ type: 'text', text: 'Reconnection test completed' }] });
    });

    it('json_schema_2020_12_tool validates its arguments with the raw schema', async () => {
      const args = {
        name: 'Ada',
        address: { street: '1 Main St', city: 'London' },
        email: 'ada@example.com',
      };
      expect(await client.callTool({ name: 'json_schema_2020_12_tool', arguments: args })).toEqual({
        content: [{ type: 'text', text: `Received: ${JSON.stringify(args)}` }],
      });
      // additionalProperties: false, anyOf (phone or email) and if/then (phone when contactMethod is
      // phone) are enforced; 2025-11-25 reports bad arguments as a tool error.
      for (const bad of [
        { email: 'ada@example.com', nickname: 'A' },
        { name: 'Ada' },
        { contactMethod: 'phone', email: 'ada@example.com' },
      ]) {
        const rejected = await client.callTool({ name: 'json_schema_2020_12_tool', arguments: bad });
        expect(rejected.isError, JSON.stringify(bad)).toBe(true);
        expect((rejected.content as { text: string }[])[0]?.text).toMatch(/json_schema_2020_12_tool/);
      }
    });

    it('an unknown tool is a JSON-RPC error -32602', async () => {
      await expectMcpError(
        client.callTool({ name: 'no_such_tool' }),
        ErrorCode.InvalidParams,
        /no_such_tool/,
      );
    });
  });

  describe('logging', () => {
    it('at level debug, test_tool_with_logging sends its three info messages 50 ms apart', async () => {
      await client.setLoggingLevel('debug');
      logs.length = 0;
      const started = performance.now();
      const result = await client.callTool({ name: 'test_tool_with_logging' });
      // Two 50 ms pauses on the server; arrival times on this side are too noisy to compare.
      expect(performance.now() - started).toBeGreaterThanOrEqual(90);
      expect(logs).toEqual([
        { level: 'info', data: 'Tool execution started' },
        { level: 'info', data: 'Tool processing data' },
        { level: 'info', data: 'Tool execution completed' },
      ]);
      expect(result).toEqual({
        content: [{ type: 'text', text: 'Tool with logging executed successfully' }],
      });
    });

    it('at level error, the info messages are filtered out', async () => {
      await client.setLoggingLevel('error');
      logs.length = 0;
      const result = await client.callTool({ name: 'test_tool_with_logging' });
      expect(result.isError).toBeFalsy();
      // One pipe, in order: a log sent during the call would arrive before the answer to this ping.
      await client.ping();
      expect(logs).toEqual([]);
    });
  });

  describe('progress', () => {
    it('test_tool_with_progress reports 0, 50, 100 of 100 before its result', async () => {
      const progress: Progress[] = [];
      const start = checker.received.length;
      const result = await client.callTool({ name: 'test_tool_with_progress' }, undefined, {
        onprogress: (update) => progress.push(update),
      });
      // On the wire: three progress notifications for the call's token, then the result.
      const wire = checker.received.slice(start) as { method?: string; params?: Record<string, unknown> }[];
      expect(wire.map((message) => message.method ?? 'result')).toEqual([
        'notifications/progress',
        'notifications/progress',
        'notifications/progress',
        'result',
      ]);
      expect(new Set(wire.slice(0, 3).map((message) => message.params?.progressToken)).size).toBe(1);
      // And as the SDK client delivers them.
      expect(progress).toEqual([
        { progress: 0, total: 100 },
        { progress: 50, total: 100 },
        { progress: 100, total: 100 },
      ]);
      expect(result).toEqual({ content: [{ type: 'text', text: 'Progress tool completed' }] });
    });
  });

  describe('sampling', () => {
    it('test_sampling asks the client and returns its answer', async () => {
      samplingRequests.length = 0;
      const result = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'What is 2+2?' } });
      expect(samplingRequests).toEqual([
        { messages: [{ role: 'user', content: { type: 'text', text: 'What is 2+2?' } }], maxTokens: 100 },
      ]);
      expect(result).toEqual({ content: [{ type: 'text', text: 'LLM response: Echo: What is 2+2?' }] });
    });
  });

  describe('elicitation', () => {
    it('test_elicitation asks for username and email and reports the answer', async () => {
      elicitRequests.length = 0;
      elicitAnswer = { action: 'accept', content: { username: 'ada', email: 'ada@example.com' } };
      const result = await client.callTool({
        name: 'test_elicitation',
        arguments: { message: 'Who are you?' },
      });
      expect(elicitRequests).toHaveLength(1);
      expect(elicitRequests[0]).toMatchObject({ message: 'Who are you?' });
      expect(elicitRequests[0]?.requestedSchema).toEqual({
        type: 'object',
        properties: { username: { type: 'string' }, email: { type: 'string' } },
        required: ['username', 'email'],
      });
      expect(result).toEqual({
        content: [
          {
            type: 'text',
            text: 'User response: action=accept, content={"username":"ada","email":"ada@example.com"}',
          },
        ],
      });
    });

    it('test_elicitation_sep1034_defaults sends a default for every field type', async () => {
      elicitRequests.length = 0;
      elicitAnswer = { action: 'decline' };
      const result = await client.callTool({ name: 'test_elicitation_sep1034_defaults' });
      expect(elicitRequests[0]?.message).toMatch(/\S/);
      expect(elicitRequests[0]?.requestedSchema).toEqual({
        type: 'object',
        properties: {
          name: { type: 'string', default: 'John Doe' },
          age: { type: 'integer', default: 30 },
          score: { type: 'number', default: 95.5 },
          status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
          verified: { type: 'boolean', default: true },
        },
      });
      expect(result).toEqual({
        content: [{ type: 'text', text: 'Elicitation completed: action=decline, content={}' }],
      });
    });

    it('test_elicitation_sep1330_enums sends the five enum variants', async () => {
      elicitRequests.length = 0;
      elicitAnswer = { action: 'accept', content: { untitledSingle: 'red', titledMulti: ['green', 'blue'] } };
      const result = await client.callTool({ name: 'test_elicitation_sep1330_enums' });
      const properties = (elicitRequests[0]?.requestedSchema.properties ?? {}) as Record<string, EnumField>;
      expect(Object.keys(properties).sort()).toEqual([
        'legacyEnum',
        'titledMulti',
        'titledSingle',
        'untitledMulti',
        'untitledSingle',
      ]);
      const { untitledSingle, titledSingle, legacyEnum, untitledMulti, titledMulti } = properties;
      const option = { const: expect.any(String), title: expect.any(String) };
      const options = expect.arrayContaining([option]);

      // Each variant has exactly its own keys: no enum beside oneOf, no anyOf beside items.enum, ...
      expect(untitledSingle).toEqual({ type: 'string', enum: expect.any(Array) });
      expect(titledSingle).toEqual({ type: 'string', oneOf: options });
      expect(legacyEnum).toEqual({ type: 'string', enum: expect.any(Array), enumNames: expect.any(Array) });
      expect(legacyEnum?.enum?.length).toBe(legacyEnum?.enumNames?.length);
      expect(untitledMulti).toEqual({ type: 'array', items: { type: 'string', enum: expect.any(Array) } });
      expect(titledMulti).toEqual({ type: 'array', items: { anyOf: options } });
      for (const each of [...(titledSingle?.oneOf ?? []), ...(titledMulti?.items?.anyOf ?? [])]) {
        expect(each).toEqual(option);
      }
      expect(result).toEqual({
        content: [
          {
            type: 'text',
            text: 'Elicitation completed: action=accept, content={"untitledSingle":"red","titledMulti":["green","blue"]}',
          },
        ],
      });
    });
  });

  describe('resources', () => {
    it('lists the three fixed resources and the template', async () => {
      const { resources } = await client.listResources();
      expect(resources.map(({ uri, mimeType }) => ({ uri, mimeType }))).toEqual([
        { uri: 'test://static-text', mimeType: 'text/plain' },
        { uri: 'test://static-binary', mimeType: 'image/png' },
        { uri: 'test://watched-resource', mimeType: 'text/plain' },
      ]);
      for (const resource of resources) {
        expect(resource.name).toMatch(/\S/);
        expect(resource.description).toMatch(/\S/);
      }
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates).toEqual([
        {
          uriTemplate: 'test://template/{id}/data',
          name: expect.any(String),
          description: expect.any(String),
          mimeType: 'application/json',
        },
      ]);
    });

    it('reads the static text resource', async () => {
      expect(await client.readResource({ uri: 'test://static-text' })).toEqual({
        contents: [
          {
            uri: 'test://static-text',
            mimeType: 'text/plain',
            text: 'This is the content of the static text resource.',
          },
        ],
      });
    });

    it('reads the static binary resource as a base64 PNG blob', async () => {
      const { contents } = await client.readResource({ uri: 'test://static-binary' });
      expect(contents).toEqual([
        { uri: 'test://static-binary', mimeType: 'image/png', blob: expect.any(String) },
      ]);
      expectOnePixelPng((contents[0] as { blob: string }).blob);
    });

    it('reads the template with the requested id', async () => {
      for (const id of ['123', 'abc']) {
        const uri = `test://template/${id}/data`;
        const { contents } = await client.readResource({ uri });
        expect(contents).toEqual([{ uri, mimeType: 'application/json', text: expect.any(String) }]);
        expect(JSON.parse((contents[0] as { text: string }).text)).toEqual({
          id,
          templateTest: true,
          data: `Data for ID: ${id}`,
        });
      }
      const { contents } = await client.readResource({ uri: 'test://template/123/data' });
      expect((contents[0] as { text: string }).text).toBe(
        '{"id":"123","templateTest":true,"data":"Data for ID: 123"}',
      );
    });

    it('subscribes to and unsubscribes from the watched resource', async () => {
      const uri = 'test://watched-resource';
      expect(await client.readResource({ uri })).toEqual({
        contents: [{ uri, mimeType: 'text/plain', text: 'Watched resource content' }],
      });
      expect(await client.subscribeResource({ uri })).toEqual({});
      expect(await client.unsubscribeResource({ uri })).toEqual({});
    });

    it('an unknown resource is a JSON-RPC error -32002', async () => {
      await expectMcpError(client.readResource({ uri: 'test://nowhere' }), -32002, /test:\/\/nowhere/);
    });
  });

  describe('prompts', () => {
    it('lists the five prompts with descriptions and their arguments', async () => {
      const { prompts } = await client.listPrompts();
      expect(prompts.map((prompt) => prompt.name)).toEqual([
        'test_simple_prompt',
        'test_prompt_with_arguments',
        'test_prompt_with_embedded_resource',
        'test_prompt_with_image',
        'test_input_required_result_prompt',
      ]);
      for (const prompt of prompts) expect(prompt.description, prompt.name).toMatch(/\S/);
      const args = Object.fromEntries(prompts.map((prompt) => [prompt.name, prompt.arguments]));
      expect(args.test_simple_prompt).toBeUndefined();
      expect(args.test_prompt_with_image).toBeUndefined();
      expect(args.test_input_required_result_prompt).toBeUndefined();
      expect(args.test_prompt_with_arguments).toEqual([
        { name: 'arg1', description: 'First test argument', required: true },
        { name: 'arg2', description: 'Second test argument', required: true },
      ]);
      expect(args.test_prompt_with_embedded_resource).toEqual([
        { name: 'resourceUri', description: 'URI of the resource to embed', required: true },
      ]);
    });

    it('gets the simple prompt', async () => {
      expect(await client.getPrompt({ name: 'test_simple_prompt' })).toEqual({
        messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
      });
    });

    it('gets the prompt with arguments, filled in', async () => {
      const result = await client.getPrompt({
        name: 'test_prompt_with_arguments',
        arguments: { arg1: 'testValue1', arg2: 'testValue2' },
      });
      expect(result).toEqual({
        messages: [
          {
            role: 'user',
            content: { type: 'text', text: "Prompt with arguments: arg1='testValue1', arg2='testValue2'" },
          },
        ],
      });
    });

    it('gets the prompt with an embedded resource', async () => {
      const result = await client.getPrompt({
        name: 'test_prompt_with_embedded_resource',
        arguments: { resourceUri: 'test://example-resource' },
      });
      expect(result).toEqual({
        messages: [
          {
            role: 'user',
            content: {
              type: 'resource',
              resource: {
                uri: 'test://example-resource',
                mimeType: 'text/plain',
                text: 'Embedded resource content for testing.',
              },
            },
          },
          { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
        ],
      });
    });

    it('gets the prompt with an image', async () => {
      const { messages } = await client.getPrompt({ name: 'test_prompt_with_image' });
      expect(messages).toEqual([
        { role: 'user', content: { type: 'image', data: expect.any(String), mimeType: 'image/png' } },
        { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
      ]);
      expectOnePixelPng((messages[0]?.content as { data?: string } | undefined)?.data);
    });

    it('a missing required argument is a JSON-RPC error -32602 that names it', async () => {
      await expectMcpError(
        client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'only one' } }),
        ErrorCode.InvalidParams,
        /arg2/,
      );
    });

    it('an unknown prompt is a JSON-RPC error -32602', async () => {
      await expectMcpError(
        client.getPrompt({ name: 'no_such_prompt' }),
        ErrorCode.InvalidParams,
        /no_such_prompt/,
      );
    });
  });

  describe('completion/complete', () => {
    const complete = (name: string, value: string) =>
      client.complete({
        ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
        argument: { name, value },
      });

    it('suggests values for arg1 that start with what was typed', async () => {
      const { completion } = await complete('arg1', 'test');
      expect(completion.values.length).toBeGreaterThan(1);
      for (const value of completion.values) expect(value.startsWith('test')).toBe(true);
      expect(completion).toEqual({
        values: completion.values,
        total: completion.values.length,
        hasMore: false,
      });
      expect((await complete('arg1', 'testV')).completion.values).toEqual(['testValue1', 'testValue2']);
    });

    it('answers with no values when nothing matches or no completer exists', async () => {
      expect((await complete('arg1', 'zzz')).completion).toEqual({ values: [], total: 0, hasMore: false });
      expect((await complete('arg2', 'te')).completion).toEqual({ values: [], total: 0, hasMore: false });
    });
  });

  // The tools conformance 0.2 calls under 2026-07-28 (examples/everything/era-2026.ts) are ordinary
  // tools in a 2025 session: their questions are real requests to the client.
  describe('2026-07-28 fixture tools in a 2025 session', () => {
    it('the multi-round tool asks twice through elicitation/create, one question at a time', async () => {
      elicitRequests.length = 0;
      elicitAnswer = { action: 'accept', content: { name: 'Ada', color: 'blue' } };
      const result = await client.callTool({ name: 'test_input_required_result_multi_round' });
      expect(elicitRequests.map((request) => request.message)).toEqual([
        'Step 1: What is your name?',
        'Step 2: What is your favorite color?',
      ]);
      expect(textOf(result)).toBe('Multi-round complete for Ada who likes blue');
    });

    it('the multiple-inputs tool asks for a name, a greeting and the roots', async () => {
      elicitRequests.length = 0;
      samplingRequests.length = 0;
      elicitAnswer = { action: 'accept', content: { name: 'Ada' } };
      const result = await client.callTool({ name: 'test_input_required_result_multiple_inputs' });
      expect(elicitRequests.map((request) => request.message)).toEqual(['What is your name?']);
      expect(samplingRequests).toEqual([
        {
          messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }],
          maxTokens: 50,
        },
      ]);
      expect(textOf(result)).toBe('Echo: Generate a greeting Ada (1 root(s))');
    });

    it('test_missing_capability samples when the client declared sampling', async () => {
      samplingRequests.length = 0;
      expect(textOf(await client.callTool({ name: 'test_missing_capability' }))).toBe('Success');
      expect(samplingRequests).toHaveLength(1);
    });

    it('test_header_param needs no header outside HTTP 2026-07-28', async () => {
      const result = await client.callTool({ name: 'test_header_param', arguments: { region: 'eu-west' } });
      expect(textOf(result)).toBe('Region: eu-west');
    });

    it('test_trigger_tool_change announces a tool list change and leaves the list as it was', async () => {
      const before = (await client.listTools()).tools;
      const announced = new Promise<void>((resolve) =>
        client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
      );
      expect(textOf(await client.callTool({ name: 'test_trigger_tool_change' }))).toBe(
        'Tool list change announced',
      );
      await withTimeout(announced, 'notifications/tools/list_changed');
      expect((await client.listTools()).tools).toEqual(before);
    });

    it('test_trigger_prompt_change announces a prompt list change', async () => {
      const announced = new Promise<void>((resolve) =>
        client.setNotificationHandler(PromptListChangedNotificationSchema, () => resolve()),
      );
      await client.callTool({ name: 'test_trigger_prompt_change' });
      await withTimeout(announced, 'notifications/prompts/list_changed');
      expect((await client.listPrompts()).prompts).toHaveLength(5);
    });
  });
});

describe('everything server over raw stdio', () => {
  let child: ChildProcessWithoutNullStreams | undefined;

  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill();
  });

  it('answers malformed JSON with -32700 and keeps serving the next line', async () => {
    const server = spawn(process.execPath, SERVER_ARGS, { cwd: ROOT, stdio: 'pipe' });
    child = server;
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    const lines = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
    const nextLine = async (): Promise<unknown> => {
      const line = await withTimeout(lines.next(), 'a line from the server', 10_000);
      if (line.done) throw new Error('the server closed stdout');
      return JSON.parse(line.value);
    };
    const checker = new WireChecker();
    const write = (message: unknown) => {
      checker.clientSent(message);
      server.stdin.write(`${JSON.stringify(message)}\n`);
    };

    server.stdin.write('{"jsonrpc":"2.0","id":1,"method":\n');
    const parseError = await nextLine();
    checker.serverSent(parseError);
    expect(parseError).toEqual({
      jsonrpc: '2.0',
      error: { code: -32700, message: expect.stringContaining('not valid JSON') },
    });

    // 2025-11-25, because only its schema allows an error without an id (earlier ones require one,
    // which a parse error cannot have); the checker validates what came before against it.
    write({
      jsonrpc: '2.0',
      id: 2,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    });
    const initialized = await nextLine();
    checker.serverSent(initialized);
    expect(initialized).toMatchObject({
      jsonrpc: '2.0',
      id: 2,
      result: { protocolVersion: '2025-11-25', serverInfo: { name: 'wharf-everything-server' } },
    });
    checker.assertClean();
    expect(checker.checked).toBe(2);

    // End of input ends the server: nothing is left running.
    server.stdin.end();
    expect(await exited).toBe(0);
  });
});
