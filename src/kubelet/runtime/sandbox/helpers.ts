// Small programs the runtime runs beside containers, without native Node modules:
//   - a pty relay (python3's pty module): runs a command on a new pseudo-terminal, copies it to and from its own
//     stdin/stdout, and applies terminal sizes written to fd 3 as "cols rows\n" lines (TIOCSWINSZ, which signals
//     SIGWINCH to the command, e.g. `runc exec -t`, which resizes the container's own terminal in turn). Its exit
//     status is the command's (128+signal when killed), so `kubectl exec -it` keeps its exit code.
//   - a TCP relay (python3): connects to 127.0.0.1:<port> (in whatever network namespace it runs in, started with
//     `nsenter --net=<netns>`), writes "+" on stderr once connected, then copies stdin to the socket and the
//     socket to stdout, half-closing as each side ends. Used for port-forward into a pod's network namespace.
//   - mount/umount through util-linux (started by the spawner, spawner.ts).
import fs from 'node:fs';
import { overlayOptions } from '../../../images/index.js';
import { spawner } from './spawner.js';
export { python3 } from './spawner.js';

export const PTY_RELAY = `
import os, pty, sys, select, struct, fcntl, termios, signal
cols, rows = int(sys.argv[1]), int(sys.argv[2])
argv = sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.execvp(argv[0], argv)
def fwd(signum, frame):
    try: os.kill(pid, signum)
    except OSError: pass
signal.signal(signal.SIGTERM, fwd)
ctl = 3
try: os.fstat(ctl)
except OSError: ctl = None
fds = [0, fd] + ([ctl] if ctl is not None else [])
buf = b''
while True:
    try: r, _, _ = select.select(fds, [], [])
    except InterruptedError: continue
    if fd in r:
        try: data = os.read(fd, 65536)
        except OSError: data = b''
        if not data: break
        os.write(1, data)
    if 0 in r:
        data = os.read(0, 65536)
        if not data: fds.remove(0)
        else:
            while data:
                n = os.write(fd, data); data = data[n:]
    if ctl is not None and ctl in r:
        data = os.read(ctl, 1024)
        if not data: fds.remove(ctl); ctl = None
        else:
            buf += data
            while b'\\n' in buf:
                line, buf = buf.split(b'\\n', 1)
                try:
                    c, rw = line.split()
                    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', int(rw), int(c), 0, 0))
                except Exception: pass
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
`;

export const TCP_RELAY = `
import os, socket, sys, threading
try:
    s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
except OSError as e:
    sys.stderr.write('-' + str(e)); sys.stderr.flush(); sys.exit(1)
sys.stderr.write('+'); sys.stderr.flush()
def up():
    while True:
        try: b = os.read(0, 65536)
        except OSError: b = b''
        if not b: break
        try: s.sendall(b)
        except OSError: break
    try: s.shutdown(socket.SHUT_WR)
    except OSError: pass
threading.Thread(target=up, daemon=True).start()
out = sys.stdout.buffer
while True:
    try: b = s.recv(65536)
    except OSError: b = b''
    if not b: break
    out.write(b); out.flush()
`;

/** Runs a helper program to completion through the spawner (never rejects: a failure is a non-zero code). */
export function run(cmd: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return spawner.run(cmd, args, { timeoutMs: opts.timeoutMs ?? 30_000 });
}

export async function mountOverlay(lower: string[], upper: string, work: string, target: string): Promise<void> {
  const opts = overlayOptions(lower, upper, work);
  const r = await run('mount', ['-t', 'overlay', 'overlay', '-o', opts, target]);
  if (r.code !== 0) throw new Error(`mounting the container's root filesystem failed: ${r.stderr.trim()}`);
}

/** Unmounts (lazily: a process still holding it does not keep the runtime from going on); missing is fine. */
export async function unmount(target: string): Promise<void> {
  await run('umount', ['-l', target]);
}

/** Mount points at or below `prefix` in this mount namespace, deepest first. */
export function mountsUnder(prefix: string): string[] {
  let text = '';
  try { text = fs.readFileSync('/proc/self/mountinfo', 'utf8'); } catch { return []; }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const mp = f[4]?.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (mp && (mp === prefix || mp.startsWith(prefix + '/'))) out.push(mp);
  }
  return out.sort((a, b) => b.length - a.length);
}
