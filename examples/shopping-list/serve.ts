/**
 * What every host example does the same way, kept out of the host files so they show only the
 * wiring a user adds: listening on 127.0.0.1, closing in the right order, and running when started
 * directly (`npx tsx examples/shopping-list/<host>.ts`).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { HttpApp } from 'wharf-mcp';

export interface Listening {
  port: number;
  close(): Promise<void>;
}

/** Listens with a node:http server; closing ends the Wharf app (its sessions and streams) first. */
export function listenNode(server: Server, mcp: HttpApp, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const close = async () => {
        await mcp.close();
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
      };
      resolve({ port: (server.address() as AddressInfo).port, close });
    });
  });
}

/** When the host file is the program (not imported by a test): listen on PORT and print the URLs. */
export async function runIfMain(
  moduleUrl: string,
  host: string,
  listen: (port: number) => Promise<Listening>,
): Promise<void> {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  const { port, close } = await listen(Number(process.env.PORT ?? 3000));
  const url = `http://127.0.0.1:${port}`;
  console.log(`Shopping list on ${host}:
  REST                   ${url}/items
  MCP (Streamable HTTP)  ${url}/mcp
  MCP (legacy SSE)       ${url}/mcp/sse
Stop with Ctrl+C.`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void close().then(() => process.exit(0)));
  }
}
