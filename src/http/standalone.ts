import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The app's own HTTP server, for `app.listen()` (like uvicorn): started once, closed with the app. */
export class StandaloneServer {
  private server: Server | undefined;

  /** Listens on `host` (default 127.0.0.1) and `port` (default: any free one); resolves with the MCP URL. */
  listen(
    handler: (req: IncomingMessage, res: ServerResponse) => void,
    options: { port?: number; host?: string },
    mcpPath: string,
  ): Promise<{ port: number; host: string; url: string }> {
    const host = options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const server = createServer(handler);
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        this.server = server;
        const { port } = server.address() as AddressInfo;
        const shown = host.includes(':') ? `[${host}]` : host;
        resolve({ port, host, url: `http://${shown}:${port}${mcpPath === '/' ? '' : mcpPath}` });
      });
    });
  }

  /** Stops listening and drops open connections (SSE streams would otherwise keep it open). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
