/**
 * The everything server's tools for protocol 2026-07-28, which conformance 0.2 (`.ci/conformance-2026`)
 * calls by name: diagnostics for the per-request era (server-stateless, SEP-2575), a tool whose argument
 * travels in an `Mcp-Param-*` header (SEP-2243), and (in `input-required.ts`) tools and a prompt that
 * ask the client mid-call (multi round-trip, SEP-2322). All are ordinary handlers, also listed in 2025
 * sessions, where they work as they would anywhere: what they ask the client is a real request there.
 */
import type { McpServer } from 'wharf-mcp';
import { z } from 'zod';
import { registerInputRequiredPrompt, registerInputRequiredTools } from './input-required.js';

export function registerEra2026Tools(server: McpServer): void {
  registerInputRequiredPrompt(server);
  registerStatelessDiagnostics(server);
  registerHeaderParamTool(server);
  registerInputRequiredTools(server);
}

// --- Diagnostics of the per-request era (server-stateless) --------------------------------------

function registerStatelessDiagnostics(server: McpServer): void {
  // Needs the client's model: under 2026-07-28 a request that does not declare `sampling` gets
  // Wharf's MissingRequiredClientCapability (-32021, HTTP 400) before anything is asked.
  server.tool(
    'test_missing_capability',
    { description: "Needs the client's sampling capability (asks its model one question)" },
    async (_args, ctx) => {
      await ctx.sample({
        messages: [{ role: 'user', content: { type: 'text', text: 'Reply with any word.' } }],
        maxTokens: 10,
      });
      return 'Success';
    },
  );
  // Under 2026-07-28 the question goes back as an input_required result, never as a request on the
  // response stream; progress notifications (when the client asked for them) may come before it.
  server.tool(
    'test_streaming_elicitation',
    { description: 'Reports progress, then asks the user to confirm' },
    async (_args, ctx) => {
      await ctx.progress(50, 100, 'Asking for confirmation');
      const answer = await ctx.elicit({
        message: 'Continue?',
        requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
      });
      return `Streaming complete: action=${answer.action}`;
    },
  );
  // 2026-07-28 ("Logging"): Wharf drops the message unless the request named a log level in _meta.
  server.tool('test_logging_tool', { description: 'Logs one info message' }, async (_args, ctx) => {
    await ctx.log('info', 'Diagnostic trace logging activated');
    return 'Logging evaluated';
  });
  server.tool(
    'test_trigger_tool_change',
    { description: 'Announces a tool list change (notifications/tools/list_changed)' },
    () => {
      server.notifyListChanged('tools');
      return 'Tool list change announced';
    },
  );
  server.tool(
    'test_trigger_prompt_change',
    { description: 'Announces a prompt list change (notifications/prompts/list_changed)' },
    () => {
      server.notifyListChanged('prompts');
      return 'Prompt list change announced';
    },
  );
}

// --- An argument mirrored into a header (x-mcp-header) ------------------------------------------

function registerHeaderParamTool(server: McpServer): void {
  // On 2026-07-28 HTTP calls the region must also arrive as `Mcp-Param-Region` (plain, or Base64 as
  // `=?base64?...?=`); Wharf refuses a call whose header is missing or disagrees (-32020, HTTP 400).
  server.tool(
    'test_header_param',
    {
      description: 'Echoes a region that is mirrored into the Mcp-Param-Region header',
      inputSchema: z.object({ region: z.string().meta({ 'x-mcp-header': 'Region' }) }),
    },
    ({ region }) => `Region: ${region}`,
  );
}
