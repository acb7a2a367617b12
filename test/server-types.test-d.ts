import { type } from 'arktype';
import { expectTypeOf, test } from 'vitest';
import { type Context, type HttpApp, McpServer, type Middleware } from 'wharf-mcp';
import { toExpress } from 'wharf-mcp/express';
import { toNextHandlers } from 'wharf-mcp/next';
import { z } from 'zod';

const server = new McpServer({ name: 'types', version: '1.0.0' });

test('tool handler arguments are typed from a Zod schema', () => {
  server.tool(
    'zod',
    { inputSchema: z.object({ a: z.number(), tags: z.array(z.string()).optional() }) },
    (args, ctx) => {
      expectTypeOf(args).toEqualTypeOf<{ a: number; tags?: string[] | undefined }>();
      expectTypeOf(ctx).toEqualTypeOf<Context>();
      return 'ok';
    },
  );
});

test('tool handler arguments are typed from an ArkType type', () => {
  server.tool('ark', { inputSchema: type({ city: 'string', 'days?': 'number' }) }, (args) => {
    expectTypeOf(args).toEqualTypeOf<{ city: string; days?: number }>();
    return args.city;
  });
});

test('a raw JSON Schema gives a record; no schema gives no arguments', () => {
  server.tool('raw', { inputSchema: { type: 'object', properties: { q: { type: 'string' } } } }, (args) => {
    expectTypeOf(args).toEqualTypeOf<Record<string, unknown>>();
    return '';
  });
  server.tool('none', { description: 'no args' }, (args) => {
    expectTypeOf(args).toEqualTypeOf<Record<string, never>>();
    return '';
  });
});

test('with an output schema the handler must return the structured shape', () => {
  server.tool('out', { outputSchema: z.object({ sum: z.number() }) }, () => ({ sum: 1 }));
  // @ts-expect-error the output schema wants { sum: number }
  server.tool('bad-out', { outputSchema: z.object({ sum: z.number() }) }, () => ({ total: 1 }));
});

test('prompt arguments are typed from a schema or a plain list', () => {
  server.prompt('p1', { arguments: z.object({ code: z.string() }) }, (args) => {
    expectTypeOf(args).toEqualTypeOf<{ code: string }>();
    return args.code;
  });
  server.prompt('p2', { arguments: [{ name: 'topic', required: true }] }, (args) => {
    expectTypeOf(args).toEqualTypeOf<Record<string, string | undefined>>();
    return String(args.topic);
  });
});

interface User {
  id: string;
  scopes: string[];
}
type AppEnv = { auth: User };
const user: User = { id: 'u1', scopes: ['read'] };

test('without an env, ctx.auth and request.auth stay unknown', () => {
  server.tool('auth-default', {}, (_args, ctx) => {
    expectTypeOf(ctx.auth).toEqualTypeOf<unknown>();
    return '';
  });
  expectTypeOf<Context['auth']>().toEqualTypeOf<unknown>();
  const middleware: Middleware = (request) => {
    expectTypeOf(request.auth).toEqualTypeOf<unknown>();
    request.auth = 'anything';
  };
  server.httpApp({ middleware: [middleware] });
});

test('with an env, every handler sees ctx.auth typed, without a cast', () => {
  const typed = new McpServer<AppEnv>({ name: 'typed', version: '1.0.0' });
  typed.tool('whoami', {}, (_args, ctx) => {
    expectTypeOf(ctx).toEqualTypeOf<Context<AppEnv>>();
    expectTypeOf(ctx.auth).toEqualTypeOf<User | undefined>();
    return ctx.auth?.id;
  });
  typed.resource('me', 'users://me', {}, (_uri, ctx) => {
    expectTypeOf(ctx.auth).toEqualTypeOf<User | undefined>();
    return ctx.auth?.id ?? '';
  });
  typed.resourceTemplate(
    'profile',
    'users://{id}/profile',
    {
      complete: {
        id: (_value, _context, ctx) => {
          expectTypeOf(ctx.auth).toEqualTypeOf<User | undefined>();
          return ctx.auth ? [ctx.auth.id] : [];
        },
      },
    },
    (_uri, variables, ctx) => {
      expectTypeOf(ctx.auth).toEqualTypeOf<User | undefined>();
      return String(variables.id);
    },
  );
  typed.prompt(
    'greet',
    {
      arguments: z.object({ name: z.string() }),
      complete: {
        name: (_value, _context, ctx) => {
          expectTypeOf(ctx.auth).toEqualTypeOf<User | undefined>();
          return [];
        },
      },
    },
    (args, ctx) => {
      expectTypeOf(args).toEqualTypeOf<{ name: string }>();
      expectTypeOf(ctx.auth).toEqualTypeOf<User | undefined>();
      return `Hello ${args.name}, you are ${ctx.auth?.id}`;
    },
  );
  // Arguments are still inferred from the schema.
  typed.tool('add', { inputSchema: z.object({ a: z.number(), b: z.number() }) }, (args, ctx) => {
    expectTypeOf(args).toEqualTypeOf<{ a: number; b: number }>();
    return String(args.a + args.b + (ctx.auth?.scopes.length ?? 0));
  });
});

test('middleware sets request.auth as the env says', () => {
  const typed = new McpServer<AppEnv>({ name: 'typed', version: '1.0.0' });
  const app = typed.httpApp({
    middleware: [
      async (request, next) => {
        expectTypeOf(request.auth).toEqualTypeOf<User | undefined>();
        request.auth = user;
        await next();
      },
      (request) => {
        // @ts-expect-error a User needs scopes
        request.auth = { id: 'u2' };
      },
    ],
  });
  expectTypeOf(app).toEqualTypeOf<HttpApp<AppEnv>>();
  const standalone: Middleware<AppEnv> = async (request, next) => {
    request.auth = user;
    await next();
  };
  app.use(standalone).use((request) => {
    // @ts-expect-error a User is not a string
    request.auth = 'u3';
  });
  // Mounting the app: the adapters' auth option returns the same type.
  app.handleFetch(new Request('http://localhost/mcp'), { auth: user });
  toExpress(app, { auth: () => user });
  // @ts-expect-error a User needs an id
  toExpress(app, { auth: () => ({ scopes: [] }) });
  toNextHandlers(app, { basePath: '/mcp', auth: async () => user });
});
