// The dashboard's logged-in browsers: a session is a random id (the HttpOnly cookie) that maps to the credentials
// the user logged in with, kept only in this process's memory (a restart logs everyone out). The browser never
// holds the credentials after login: every API call it makes goes through the proxy (proxy.ts), which adds them.
//
// One-time login codes are how `nanokube dashboard` opens the browser already logged in without putting a token
// in the URL (and so in the browser's history): the CLI hands the token to the server, gets a code valid for one
// use within CODE_TTL_MS, and opens /auth/code?code=…, which trades it for a session cookie.
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** What the proxy presents to the API server for a session: a bearer token or a client certificate. */
export type Credentials =
  | { kind: 'token'; token: string }
  | { kind: 'certificate'; cert: string; key: string };

export interface Session {
  id: string;
  credentials: Credentials;
  /** The authenticated user as the API server reported it at login (SelfSubjectReview). */
  user: { username: string; groups: string[] };
  /** Epoch ms after which the session is gone (the sooner of the idle limit and the token's own expiry). */
  expiresAt: number;
  /** Epoch ms the credentials themselves stop working (a token's exp); the session never outlives it. */
  notAfter?: number;
}

/** A session lives at most this long without use (as kubernetes-dashboard's token TTL, but longer: a laptop UI). */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** A login code must be used this soon after `nanokube dashboard` made it. */
export const CODE_TTL_MS = 60_000;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly codes = new Map<string, { credentials: Credentials; user: Session['user']; expiresAt: number; notAfter?: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new session; notAfter (epoch ms) caps it at the credentials' own expiry, e.g. a token's exp. */
  create(credentials: Credentials, user: Session['user'], notAfter?: number): Session {
    const id = randomBytes(32).toString('base64url');
    const session: Session = { id, credentials, user, expiresAt: this.expiry(notAfter), ...(notAfter ? { notAfter } : {}) };
    this.sessions.set(id, session);
    this.sweep();
    return session;
  }

  /** The live session for a cookie value, its idle timer renewed; undefined when unknown or expired. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) { this.sessions.delete(id); return undefined; }
    s.expiresAt = this.expiry(s.notAfter);
    return s;
  }

  delete(id: string | undefined): void { if (id) this.sessions.delete(id); }

  /** A code that logs one browser in with these credentials, once, within CODE_TTL_MS. */
  createCode(credentials: Credentials, user: Session['user'], notAfter?: number): string {
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { credentials, user, expiresAt: this.now() + CODE_TTL_MS, ...(notAfter ? { notAfter } : {}) });
    this.sweep();
    return code;
  }

  /** Trades a code for a new session; the code is gone afterwards whatever happens. */
  redeemCode(code: string): Session | undefined {
    let found: string | undefined;
    const given = Buffer.from(code);
    for (const k of this.codes.keys()) {
      const b = Buffer.from(k);
      if (b.length === given.length && timingSafeEqual(b, given)) found = k;
    }
    if (!found) return undefined;
    const entry = this.codes.get(found)!;
    this.codes.delete(found);
    if (entry.expiresAt <= this.now()) return undefined;
    return this.create(entry.credentials, entry.user, entry.notAfter);
  }

  get size(): number { return this.sessions.size; }

  private expiry(notAfter?: number): number {
    return Math.min(this.now() + SESSION_IDLE_MS, notAfter ?? Infinity);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
    for (const [c, e] of this.codes) if (e.expiresAt <= now) this.codes.delete(c);
  }
}
