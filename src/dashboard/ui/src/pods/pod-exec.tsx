// A terminal in a pod's container (xterm.js) over the API server's exec WebSocket, reached through the dashboard's
// /k8s proxy as the logged-in user (RBAC: create on pods/exec). The remote command protocol, as kubectl speaks it:
// subprotocol v5.channel.k8s.io (v4 accepted), binary messages whose first byte is the channel — 0 stdin, 1 stdout,
// 2 stderr, 3 the final Status, 4 terminal size as {"Width","Height"}.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { apiWebSocketUrl, type KubeObject } from '../api';
import { containerNames } from './pod-logs';

const STDIN = 0, STDOUT = 1, STDERR = 2, ERROR = 3, RESIZE = 4;
const encoder = new TextEncoder();

/** The command field split into words as a shell would: whitespace separates, single and double quotes group. */
export function commandWords(line: string): string[] {
  const words: string[] = [];
  let cur = '', quote = '', has = false;
  for (const ch of line) {
    if (quote) { if (ch === quote) quote = ''; else cur += ch; continue; }
    if (ch === '"' || ch === "'") { quote = ch; has = true; continue; }
    if (/\s/.test(ch)) { if (has || cur) { words.push(cur); cur = ''; has = false; } continue; }
    cur += ch;
  }
  if (has || cur) words.push(cur);
  return words;
}

function frame(channel: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 1);
  out[0] = channel;
  out.set(data, 1);
  return out;
}

export function PodExec(props: { pod: KubeObject }) {
  const { pod } = props;
  const names = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name) as string[];
  const [container, setContainer] = useState(names[0] ?? containerNames(pod)[0] ?? '');
  const [command, setCommand] = useState('sh');
  const [session, setSession] = useState(0);
  const [status, setStatus] = useState('');
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!session || !host.current) return;
    const term = new Terminal({ cols: 100, rows: 28, convertEol: false, cursorBlink: true, fontSize: 13 });
    term.open(host.current);
    const q = new URLSearchParams({ container, stdin: 'true', stdout: 'true', stderr: 'false', tty: 'true' });
    for (const word of commandWords(command)) q.append('command', word);
    const ws = new WebSocket(apiWebSocketUrl(`/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace!)}/pods/${encodeURIComponent(pod.metadata.name)}/exec?${q}`),
      ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    ws.binaryType = 'arraybuffer';
    setStatus('connecting…');
    const sendSize = () => { if (ws.readyState === WebSocket.OPEN) ws.send(frame(RESIZE, encoder.encode(JSON.stringify({ Width: term.cols, Height: term.rows })))); };
    ws.onopen = () => { setStatus(`connected to ${container}`); sendSize(); term.focus(); };
    ws.onmessage = (m) => {
      const data = new Uint8Array(m.data as ArrayBuffer);
      if (data.length === 0) return;
      const channel = data[0], payload = data.subarray(1);
      if (channel === STDOUT || channel === STDERR) term.write(payload);
      else if (channel === ERROR) {
        try {
          const s = JSON.parse(new TextDecoder().decode(payload)) as { status?: string; message?: string };
          setStatus(s.status === 'Success' ? 'the command ended' : `the command failed: ${s.message ?? ''}`);
        } catch { setStatus('the command ended'); }
      }
    };
    ws.onerror = () => setStatus('the connection failed (is the pod running, and may you create pods/exec?)');
    ws.onclose = (e) => setStatus((s) => (s.startsWith('connected') || s === 'connecting…' ? `disconnected${e.reason ? `: ${e.reason}` : ''}` : s));
    const input = term.onData((d) => { if (ws.readyState === WebSocket.OPEN) ws.send(frame(STDIN, encoder.encode(d))); });
    const resize = term.onResize(sendSize);
    return () => { input.dispose(); resize.dispose(); ws.close(); term.dispose(); };
  }, [session]);

  return (
    <div class="pod-exec">
      <form class="toolbar" onSubmit={(e) => { e.preventDefault(); setSession((s) => s + 1); }}>
        {names.length > 1 && (
          <label>Container <select value={container} onChange={(e) => setContainer((e.target as HTMLSelectElement).value)}>
            {names.map((n) => <option key={n} value={n}>{n}</option>)}
          </select></label>
        )}
        <label>Command <input name="command" value={command} onInput={(e) => setCommand((e.target as HTMLInputElement).value)} /></label>
        <button type="submit" class="primary" data-testid="exec-connect">{session ? 'Reconnect' : 'Connect'}</button>
        <span class="exec-status" data-testid="exec-status">{status}</span>
      </form>
      <div class="terminal-host" ref={host} data-testid="exec-terminal" />
    </div>
  );
}
