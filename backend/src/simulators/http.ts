// Small HTTP helpers shared by the simulators: bounded body reading and starting a server.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request, RequestHandler } from 'express';

export interface BodyRead { body: Buffer; size: number; tooLarge: boolean }

/**
 * Reads the whole request body, keeping at most `limit` bytes. A larger body is still drained (so
 * the client sees our answer rather than a reset connection) but flagged `tooLarge` and discarded.
 */
export function readBody(req: Request, limit: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else chunks.length = 0;
    });
    req.on('end', () => resolve({ body: size <= limit ? Buffer.concat(chunks) : Buffer.alloc(0), size, tooLarge: size > limit }));
    req.on('error', reject);
  });
}

/** Runs an async handler and passes a rejection to express's error handling. */
export function asyncHandler(fn: (...a: Parameters<RequestHandler>) => Promise<unknown>): RequestHandler {
  return (req, res, next) => { fn(req, res, next).catch(next); };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface RunningServer { server: http.Server; url: string; port: number; close(): Promise<void> }

/** Listens on `port` (0 = any free port) and resolves once the server accepts connections. */
export function listen(handler: http.RequestListener, port = 0, host = '127.0.0.1'): Promise<RunningServer> {
  const server = http.createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      resolve({
        server, port: addr.port, url: `http://${shownHost}:${addr.port}`,
        close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}
