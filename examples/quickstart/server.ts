/**
 * The README's first server: one tool, one resource, one resource template and one prompt.
 * `http.ts` serves it over HTTP and `stdio.ts` on stdio; tests drive it with the official SDK client.
 */

import { McpServer } from 'wharf-mcp';
import { z } from 'zod';

export function createQuickstartServer(): McpServer {
  const server = new McpServer({
    name: 'quickstart',
    version: '1.0.0',
    instructions: 'Adds numbers and greets people.',
  });

  server.tool(
    'add',
    {
      description: 'Add two numbers',
      inputSchema: z.object({ a: z.number(), b: z.number() }),
      outputSchema: z.object({ sum: z.number() }),
      annotations: { readOnlyHint: true },
    },
    async ({ a, b }, ctx) => {
      await ctx.log('info', `adding ${a} and ${b}`);
      return { sum: a + b };
    },
  );

  server.resource(
    'readme',
    'docs://readme',
    { mimeType: 'text/markdown' },
    () => '# Quickstart\nAsk me to add.',
  );

  server.resourceTemplate(
    'greeting',
    'greetings://{name}',
    {
      mimeType: 'text/plain',
      complete: { name: (typed) => ['Ada', 'Alan', 'Grace'].filter((n) => n.startsWith(typed)) },
    },
    (_uri, { name }) => `Hello, ${String(name)}!`,
  );

  server.prompt(
    'review',
    {
      description: 'Review a piece of code',
      arguments: z.object({ code: z.string().describe('The code to review') }),
    },
    ({ code }) => `Please review this code:\n\n${code}`,
  );

  return server;
}
