import { createServer } from 'node:net';

/**
 * True if `host:port` can be bound right now. Checked before spawning the server so a busy port gives a clear
 * one-line error at once; the server's own bind error is still surfaced (another process may take the port between).
 */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}
