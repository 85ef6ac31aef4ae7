// The UI's one way to the cluster: the same-origin /k8s/<API path> proxy, which the dashboard server forwards to the
// API server as the logged-in user (so RBAC decides what this page may see and do). Failures come back as ApiError
// carrying the API server's Status (reason, code, message), so callers branch on reason, never on message text.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
  generation?: number;
  managedFields?: unknown[];
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  [k: string]: any;
}

export interface Status { kind?: string; status?: string; reason?: string; code?: number; message?: string; details?: unknown }

export class ApiError extends Error {
  constructor(readonly status: Status, readonly code: number) {
    super(status.message || `HTTP ${code}`);
  }
  get reason(): string { return this.status.reason ?? ''; }
}

export const API_PREFIX = '/k8s';
/** Sent with every call: the server refuses cross-site writes; this marks ours. */
const HEADERS = { accept: 'application/json' };

/** Called when the server says the session is gone (401): the app shows the login page. */
let onUnauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(fn: () => void): void { onUnauthorized = fn; }
/** Tells the app the session is gone (a 401 seen on another path than api(), e.g. the watch socket). */
export function sessionEnded(): void { onUnauthorized(); }

async function toError(res: Response): Promise<ApiError> {
  let status: Status = { message: `HTTP ${res.status}` };
  try { status = await res.json() as Status; } catch { /* not JSON */ }
  if (res.status === 401) onUnauthorized();
  return new ApiError(status, res.status);
}

/** One JSON request to an API path ('/api/v1/...'); resolves with the parsed answer. */
export async function api<T = any>(path: string, init: { method?: string; body?: unknown; contentType?: string; signal?: AbortSignal } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const send = () => fetch(API_PREFIX + path, {
    method,
    headers: { ...HEADERS, ...(init.body !== undefined ? { 'content-type': init.contentType ?? 'application/json' } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
    credentials: 'same-origin',
  });
  let res: Response;
  for (let attempt = 1; ; attempt++) {
    try { res = await send(); break; } catch (err) {
      // A request that never got an answer (the browser saw the network change, the server restarted) is sent
      // again, except a create (POST), which might have happened.
      if (init.signal?.aborted || method === 'POST' || attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  if (!res.ok) throw await toError(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A streaming GET (watch, follow logs): the Response, its body still unread. */
export async function apiStream(path: string, signal: AbortSignal, accept = 'application/json'): Promise<Response> {
  const res = await fetch(API_PREFIX + path, { headers: { accept }, signal, credentials: 'same-origin' });
  if (!res.ok) throw await toError(res);
  return res;
}

/** ws(s)://<this origin>/k8s<path>, for exec/attach WebSockets through the same proxy. */
export function apiWebSocketUrl(path: string): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${API_PREFIX}${path}`;
}

export const mergePatch = (path: string, patch: unknown) => api(path, { method: 'PATCH', body: patch, contentType: 'application/merge-patch+json' });
export const jsonPatch = (path: string, ops: unknown[]) => api(path, { method: 'PATCH', body: ops, contentType: 'application/json-patch+json' });

export interface SessionInfo { user: { username: string; groups: string[] }; expiresAt: string }

export async function getSession(): Promise<SessionInfo | undefined> {
  const res = await fetch('/auth/session', { credentials: 'same-origin' });
  if (res.status === 401) return undefined;
  if (!res.ok) throw new Error(`the dashboard answered ${res.status}`);
  return await res.json() as SessionInfo;
}

export async function login(body: { token: string } | { kubeconfig: string }): Promise<SessionInfo['user']> {
  const send = () => fetch('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
  // A login that got no answer is tried again: at worst it makes a second session, the first never reached us.
  const res = await send().catch(() => new Promise((r) => setTimeout(r, 300)).then(send));
  const answer = await res.json() as { user?: SessionInfo['user']; message?: string };
  if (!res.ok || !answer.user) throw new Error(answer.message ?? `login failed (${res.status})`);
  return answer.user;
}

export async function logout(): Promise<void> {
  await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' });
}
