// Log in with a bearer token (e.g. `kubectl create token <serviceaccount>`) or a kubeconfig with an inline client
// certificate (the admin one `nanokube start` writes to ~/.kube/config). The server checks it with the API server and
// keeps it; this page never stores it.
import { useState } from 'preact/hooks';
import { login } from '../api';

export function LoginPage(props: { onLogin(): void; expired?: boolean }) {
  const [mode, setMode] = useState<'token' | 'kubeconfig'>('token');
  const [text, setText] = useState('');
  const [error, setError] = useState(props.expired ? 'That login link was used or has expired; run `nanokube dashboard` again, or log in here.' : '');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true); setError('');
    try {
      await login(mode === 'token' ? { token: text } : { kubeconfig: text });
      props.onLogin();
    } catch (err) { setError((err as Error).message); } finally { setBusy(false); }
  };
  const readFile = async (e: Event) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) setText(await f.text());
  };
  return (
    <main class="login">
      <h1>nanokube dashboard</h1>
      <p>Run <code>nanokube dashboard</code> to open this page already logged in, or log in here.</p>
      <div class="tabs">
        <button type="button" class={mode === 'token' ? 'active' : ''} onClick={() => setMode('token')}>Token</button>
        <button type="button" class={mode === 'kubeconfig' ? 'active' : ''} onClick={() => setMode('kubeconfig')}>Kubeconfig</button>
      </div>
      <form onSubmit={submit}>
        {mode === 'token'
          ? <label>Bearer token (<code>kubectl create token NAME</code>)<textarea name="token" rows={5} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} /></label>
          : <label>Kubeconfig with a client certificate (e.g. <code>~/.kube/config</code>)
              <input type="file" onChange={readFile} />
              <textarea name="kubeconfig" rows={10} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} /></label>}
        {error && <p class="error" role="alert">{error}</p>}
        <button class="primary" type="submit" disabled={busy || !text.trim()}>Log in</button>
      </form>
    </main>
  );
}
