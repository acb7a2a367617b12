/**
 * The app's route table (issue 11, item 6, bug 2): one `(method, path) → handler` table answers
 * `owns()`, dispatch and 405s with `Allow`; `server.route()` after `httpApp()` is served (the app
 * reads the server's routes live); a route that could never be served throws when it is added.
 * Then routes at the host's root, outside the mount (where RFC 9728 puts OAuth metadata), through
 * the internal `addRootRoute`: standalone, on every host framework, and on Next's route handlers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpApp, McpServer, WharfError } from 'wharf-mcp';
import { toNextRootHandlers } from 'wharf-mcp/next';
import { addRootRoute } from '../src/http/app.js';
import { respondJson } from '../src/http/respond.js';
import { type Binding, bindings, initialize, rawRequest, serve } from './support/bindings.js';
import { HOST_NOT_FOUND, hosts, ITEMS, layouts, type RunningHost } from './support/hosts.js';

function newServer() {
  return new McpServer({ name: 'routes-test', version: '1.0.0' });
}

const text = (body: string) => () => new Response(body);

/** The dummy root route: `/.well-known/wharf-test<mount>`, answering the mount it was computed from. */
function withRootRoute(app: HttpApp): HttpApp {
  addRootRoute(app, {
    method: 'GET',
    path: (mount) => `/.well-known/wharf-test${mount}`,
    handler: (exchange, mount) => respondJson(exchange, 200, { mount }),
  });
  return app;
}

function expectWharfError(fn: () => unknown, message: RegExp) {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(WharfError);
  expect((thrown as WharfError).code).toBe('WHARF_INVALID_OPTION');
  expect((thrown as WharfError).message).toMatch(message);
}

describe.each(bindings)('%s binding', (binding: Binding) => {
  const apps: HttpApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function start(app: HttpApp) {
    apps.push(app);
    return serve(app, binding);
  }

  describe('the route table', () => {
    it('serves a route added with server.route() after httpApp(), in apps made before', async () => {
      const server = newServer();
      const app = server.httpApp();
      const { request } = await start(app);
      expect(app.owns('/later')).toBe(false);
      expect((await request('/later')).status).toBe(404);
      server.route('GET', '/later', text('late'));
      expect(app.owns('/later')).toBe(true);
      const response = await request('/later');
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('late');
    });

    it('answers 405 with Allow listing every method the path serves', async () => {
      const server = newServer();
      server.route('POST', '/items', text('added'));
      const app = server.httpApp().route('GET', '/items', text('listing'));
      const { request } = await start(app);
      const response = await request('/items', { method: 'PUT' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/PUT/);
    });

    it('answers HEAD with the GET route until HEAD has a route of its own', async () => {
      const app = newServer().httpApp();
      let ran = '';
      app.route('GET', '/doc', () => {
        ran = 'GET';
        return new Response('body');
      });
      const { request } = await start(app);
      expect((await request('/doc', { method: 'HEAD' })).status).toBe(200);
      expect(ran).toBe('GET');
      app.route('HEAD', '/doc', () => {
        ran = 'HEAD';
        return new Response(null, { status: 204 });
      });
      expect((await request('/doc', { method: 'HEAD' })).status).toBe(204);
      expect(ran).toBe('HEAD');
    });

    it('serves /path and /path/ as one route', async () => {
      const app = newServer().httpApp().route('GET', '/items/', text('one route'));
      const { request } = await start(app);
      expect(await (await request('/items')).text()).toBe('one route');
      expect(await (await request('/items/')).text()).toBe('one route');
    });

    it('lets a later route replace one with the same method and path', async () => {
      const server = newServer();
      server.route('GET', '/v', text('first'));
      const app = server.httpApp();
      const { request } = await start(app);
      app.route('GET', '/v', text('app'));
      expect(await (await request('/v')).text()).toBe('app');
      server.route('GET', '/v', text('server, later'));
      expect(await (await request('/v')).text()).toBe('server, later');
    });
  });

  describe('root routes', () => {
    it('are served by an app at the host root, computed for the empty mount path', async () => {
      const app = withRootRoute(newServer().httpApp());
      const { request } = await start(app);
      const response = await request('/.well-known/wharf-test');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ mount: '' });
      expect((await request('/.well-known/wharf-test/elsewhere')).status).toBe(404);
      expect(app.rootPaths('/mcp-server')).toEqual([
        { method: 'GET', path: '/.well-known/wharf-test/mcp-server' },
        { method: 'HEAD', path: '/.well-known/wharf-test/mcp-server' },
      ]);
    });

    it('skip the app middleware (public documents read before auth); MCP does not', async () => {
      const app = withRootRoute(
        newServer().httpApp({
          middleware: [(request) => request.respond(401, { 'content-type': 'text/plain' }, 'Unauthorized')],
        }),
      );
      const { request } = await start(app);
      expect((await request('/.well-known/wharf-test')).status).toBe(200);
      expect((await initialize(request, { complete: false })).response.status).toBe(401);
    });
  });
});

describe('routes that could never be served', () => {
  const apps: HttpApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('throws at app.route() for a path the app serves itself', () => {
    const app = newServer().httpApp();
    apps.push(app);
    expectWharfError(() => app.route('GET', '/health', text('mine')), /the health route/);
    expectWharfError(() => app.route('PUT', '/mcp/', text('mine')), /the MCP endpoint/);
    expectWharfError(() => app.route('GET', 'items', text('no slash')), /must start with "\/"/);
  });

  it('throws at server.route() when an app made from the server serves the path, before any app takes it', () => {
    const server = newServer();
    const moved = server.httpApp({ path: '/rpc' });
    const plain = server.httpApp();
    apps.push(moved, plain);
    expectWharfError(() => server.route('POST', '/mcp', text('clash')), /the MCP endpoint/);
    expect(moved.owns('/mcp')).toBe(false);
    expectWharfError(() => server.route('GET', 'items', text('no slash')), /must start with "\/"/);
  });

  it('throws at httpApp() when a server route takes one of its paths, and stops feeding a closed app', async () => {
    const server = newServer();
    server.route('GET', '/status', text('server'));
    expectWharfError(() => server.httpApp({ health: '/status' }), /the health route/);
    const app = server.httpApp();
    await app.close();
    server.route('GET', '/health', text('fine: no open app serves /health'));
  });
});

describe('root routes on every host', () => {
  let running: RunningHost | undefined;
  let app: HttpApp | undefined;
  afterEach(async () => {
    await running?.close();
    await app?.close();
    running = undefined;
    app = undefined;
  });

  describe.each(hosts)('$name', (host) => {
    it.each(layouts)(
      'serves the root route of the $name layout ($mount) beside the mount',
      async (layout) => {
        app = withRootRoute(newServer().httpApp({ path: layout.appPath }));
        running = await host.start(app, layout, { root: true });
        const response = await running.fetch(`${running.baseUrl}/.well-known/wharf-test${layout.mount}`);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ mount: layout.mount });
        // Another mount path, and the host's own routes, stay the host's.
        const other = await running.fetch(`${running.baseUrl}/.well-known/wharf-test/elsewhere`);
        expect(other.status).toBe(404);
        expect(((await other.json()) as { error: string }).error).toBe(HOST_NOT_FOUND);
        expect(await (await running.fetch(`${running.baseUrl}/items`)).json()).toEqual(ITEMS);
        const request = (path: string, init?: RequestInit) =>
          running!.fetch(`${running!.baseUrl}${layout.mount}${path}`, init);
        const { response: initialized } = await initialize(request, { path: layout.appPath });
        expect(initialized.status).toBe(200);
      },
    );
  });

  it('applies the Host/Origin guard to root routes (node:http, loopback)', async () => {
    app = withRootRoute(newServer().httpApp());
    const { port } = await app.listen({ port: 0 });
    const url = `http://127.0.0.1:${port}/.well-known/wharf-test`;
    expect((await rawRequest(url, { headers: { host: 'evil.example.com' } })).status).toBe(403);
    expect((await rawRequest(url)).status).toBe(200);
  });

  it('serves them through Next route handlers', async () => {
    app = withRootRoute(newServer().httpApp({ path: '/' }));
    const { GET } = toNextRootHandlers(app, { basePath: '/api/mcp' });
    const response = await GET(new Request('http://localhost/.well-known/wharf-test/api/mcp'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ mount: '/api/mcp' });
    expect((await GET(new Request('http://localhost/.well-known/wharf-test/other'))).status).toBe(404);
  });
});
