// A confirmation dialog: every action that changes the cluster (scale, restart, rollback, delete) asks first.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function Dialog(props: { title: string; children?: ComponentChildren; confirmLabel: string; danger?: boolean;
  onConfirm(): Promise<void> | void; onClose(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') props.onClose(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const confirm = async () => {
    setBusy(true); setError('');
    try { await props.onConfirm(); props.onClose(); } catch (e) { setError((e as Error).message); } finally { setBusy(false); }
  };
  return (
    <div class="backdrop" onClick={(e) => { if (e.target === e.currentTarget) props.onClose(); }}>
      <div class="dialog" role="dialog" aria-label={props.title}>
        <h3>{props.title}</h3>
        {props.children}
        {error && <p class="error" role="alert">{error}</p>}
        <div class="buttons">
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="button" class={props.danger ? 'danger' : 'primary'} disabled={busy} onClick={confirm} data-testid="confirm">{props.confirmLabel}</button>
        </div>
      </div>
    </div>
  );
}
