// Port forwarding over plain WebSocket channels (upstream kubelet's portforward/websocket.go), what client
// libraries speak (@kubernetes/client-node, python's kubernetes.stream.portforward): subprotocol v4.channel.k8s.io
// (or none), the ports in the query (`port=` on the kubelet, `ports=` on the apiserver), one connection per port
// for the life of the WebSocket. Port i uses channel 2i for data (both ways) and 2i+1 for errors (server → client);
// the server first writes each port number as 2 little-endian bytes on both of its channels.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

export const PORT_FORWARD_CHANNEL_PROTOCOLS = ['v4.channel.k8s.io'];

export interface ChannelPortForwardOptions {
  ports: number[];
  connect(port: number): Promise<Duplex>;
  podName: string;
  podUid?: string;
}

export function servePortForwardChannels(ws: WebSocket, opts: ChannelPortForwardOptions): void {
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]), { binary: true });
  };
  const sockets: Array<Duplex | undefined> = [];
  let open = opts.ports.length;
  const done = () => { if (--open === 0 && ws.readyState === ws.OPEN) ws.close(1000); };
  const pending: Buffer[][] = opts.ports.map(() => []);
  opts.ports.forEach((port, i) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    send(2 * i, prefix);
    send(2 * i + 1, prefix);
    opts.connect(port).then((sock) => {
      if (ws.readyState !== ws.OPEN) { sock.destroy(); return; }
      sockets[i] = sock;
      for (const b of pending[i]) sock.write(b);
      pending[i] = [];
      sock.on('data', (d: Buffer) => send(2 * i, d));
      sock.on('error', () => undefined);
      sock.on('close', done);
    }, (e: Error) => {
      send(2 * i + 1, `error forwarding port ${port} to pod ${opts.podName}, uid ${opts.podUid ?? ''}: ${e?.message ?? e}`);
      done();
    });
  });
  ws.on('message', (data: Buffer) => {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as unknown as ArrayBuffer);
    if (buf.length < 1 || buf[0] % 2 !== 0) return;
    const i = buf[0] / 2;
    if (i >= opts.ports.length) return;
    const payload = buf.subarray(1);
    if (payload.length === 0) return;
    const sock = sockets[i];
    if (sock) sock.write(payload); else pending[i].push(Buffer.from(payload));
  });
  ws.on('close', () => { for (const s of sockets) s?.destroy(); });
}
