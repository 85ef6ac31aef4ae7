// The remote command protocol of exec and attach over WebSocket (upstream's k8s.io/apimachinery wsstream and
// kubelet cri/streaming/remotecommand): binary messages, first byte the channel —
//   0 stdin (client → server), 1 stdout, 2 stderr, 3 error (a Status JSON, sent once at the end),
//   4 resize (client → server, JSON {"Width":w,"Height":h}), 255 close (v5 only: [255, n] = channel n is done,
//   which is how kubectl says stdin reached EOF; `kubectl cp` relies on it).
// The server sends the Status on channel 3 — Success, or Failure with reason NonZeroExitCode and the exit code in
// details.causes — then closes with 1000.
import { EventEmitter } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import type { WebSocket } from 'ws';

/** The subprotocols we speak, preferred first. kubectl 1.32 offers only v5. */
export const REMOTE_COMMAND_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

/** How long a tty session waits for the client's initial terminal size before starting the command. */
const initialSizeWaitMs = 500;

export const STDIN = 0, STDOUT = 1, STDERR = 2, ERROR = 3, RESIZE = 4, CLOSE = 255;

export interface TerminalSize { width: number; height: number }

export interface RemoteCommandStreams {
  stdin?: PassThrough;
  stdout?: Writable;
  stderr?: Writable;
  /** Terminal sizes as the client sends them; a listener added late first gets the latest size (kubectl sends the
   * initial size right after the upgrade, often before the runtime has started the command). */
  resize: { on(event: 'resize', f: (s: TerminalSize) => void): void };
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

export interface RemoteCommandOptions { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }

/** The Status a finished command reports on the error channel. */
export function exitStatus(exitCode: number, cmd?: string[]): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {}, status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command ${cmd ? `[${cmd.join(' ')}]` : 'in container'}, exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

function channelWriter(ws: WebSocket, channel: number): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (ws.readyState !== ws.OPEN) return cb();
      ws.send(Buffer.concat([Buffer.from([channel]), chunk]), { binary: true }, () => cb());
    },
  });
}

/**
 * Runs one exec/attach session on an accepted WebSocket: `run` gets the streams the client asked for and
 * resolves with the exit code (undefined = attach ended without one, reported as Success).
 */
export async function serveRemoteCommand(ws: WebSocket, opts: RemoteCommandOptions, run: (s: RemoteCommandStreams) => Promise<number | undefined>, describe?: string[]): Promise<void> {
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const ac = new AbortController();
  const sizes = new EventEmitter();
  let lastSize: TerminalSize | undefined;
  sizes.on('resize', (s: TerminalSize) => { lastSize = s; });
  const resize = { on(_event: 'resize', f: (s: TerminalSize) => void) { if (lastSize) f(lastSize); sizes.on('resize', f); } };
  const stdin = opts.stdin ? new PassThrough() : undefined;
  const stdout = opts.stdout ? channelWriter(ws, STDOUT) : undefined;
  // With a tty, stderr is merged into stdout by the terminal (upstream sends no stderr stream).
  const stderr = opts.stderr && !opts.tty ? channelWriter(ws, STDERR) : undefined;

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as unknown as ArrayBuffer);
    if (!isBinary || buf.length === 0) return;
    const channel = buf[0], payload = buf.subarray(1);
    if (channel === STDIN) { if (payload.length && stdin && !stdin.writableEnded) stdin.write(payload); }
    else if (channel === RESIZE) {
      try {
        const size = JSON.parse(payload.toString('utf8')) as { Width?: number; Height?: number };
        if (size.Width && size.Height) sizes.emit('resize', { width: size.Width, height: size.Height });
      } catch { /* a malformed resize is ignored, as upstream logs and drops it */ }
    } else if (channel === CLOSE && v5 && payload[0] === STDIN) stdin?.end();
  });
  ws.on('close', () => { ac.abort(); if (stdin && !stdin.writableEnded) stdin.end(); });
  ws.on('error', () => ac.abort());

  // With a terminal, kubectl sends its size first thing: wait a moment for it so the command starts at that size
  // rather than being resized just after it started (a race a short command such as `stty size` loses).
  if (opts.tty) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, initialSizeWaitMs);
      sizes.once('resize', () => { clearTimeout(t); resolve(); });
      ws.once('close', () => { clearTimeout(t); resolve(); });
    });
  }
  let status: Record<string, unknown>;
  try {
    const code = await run({ stdin, stdout, stderr, resize, signal: ac.signal });
    status = exitStatus(code ?? 0, describe);
  } catch (e) {
    status = { metadata: {}, status: 'Failure', message: (e as Error)?.message ?? String(e), reason: 'InternalError', code: 500 };
  }
  // Output the command wrote goes out before the status.
  await Promise.all([flush(stdout), flush(stderr)]);
  if (ws.readyState !== ws.OPEN) return;
  await new Promise<void>((resolve) => ws.send(Buffer.concat([Buffer.from([ERROR]), Buffer.from(JSON.stringify(status))]), { binary: true }, () => resolve()));
  ws.close(1000);
}

function flush(w: Writable | undefined): Promise<void> {
  if (!w || w.writableFinished || w.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    w.once('finish', resolve); w.once('close', resolve); w.once('error', () => resolve());
    if (!w.writableEnded) w.end();
  });
}
