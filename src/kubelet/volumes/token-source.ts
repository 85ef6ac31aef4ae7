// Service account tokens for projected volumes through the TokenRequest API (POST
// /api/v1/namespaces/<ns>/serviceaccounts/<name>/token), cached as upstream's token manager does: a token is
// reused until 80% of its lifetime has passed (or 24 h), then a new one is requested on the next resync.
// While the API server does not serve TokenRequest (404 for the subresource itself), the source answers null and
// the projected volume leaves the token file out with a note; a missing ServiceAccount is a real error.
import { isNotFound } from '../../api/errors.js';
import { resourcePath, type Client } from '../../client/client.js';
import { resources } from '../../api/resources.js';
import { realClock, type Clock } from '../../client/clock.js';
import type { ServiceAccountToken, ServiceAccountTokenSource, TokenRequestInput } from './payloads.js';

interface TokenRequestStatus { status?: { token?: string; expirationTimestamp?: string } }

export function apiTokenSource(client: Client, clock: Clock = realClock): ServiceAccountTokenSource {
  const cache = new Map<string, { tok: ServiceAccountToken; refreshAt: number }>();
  return async (req: TokenRequestInput) => {
    const key = JSON.stringify([req.namespace, req.serviceAccountName, req.audiences, req.expirationSeconds, req.pod.uid]);
    const hit = cache.get(key);
    if (hit && clock.now() < hit.refreshAt) return hit.tok;
    let res: TokenRequestStatus;
    try {
      res = await client.requestJson<TokenRequestStatus>({
        method: 'POST',
        path: resourcePath(resources.serviceaccounts, req.namespace, req.serviceAccountName, 'token'),
        body: {
          apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
          spec: {
            audiences: req.audiences, expirationSeconds: req.expirationSeconds,
            boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: req.pod.name, uid: req.pod.uid },
          },
        },
      });
    } catch (e) {
      if (isNotFound(e) && !(e as Error).message.includes(`"${req.serviceAccountName}"`)) return null;
      throw e;
    }
    const token = res?.status?.token;
    if (!token) return null;
    const tok: ServiceAccountToken = { token, expirationTimestamp: res.status?.expirationTimestamp };
    const now = clock.now();
    const exp = tok.expirationTimestamp ? Date.parse(tok.expirationTimestamp) : now + req.expirationSeconds * 1000;
    cache.set(key, { tok, refreshAt: Math.min(now + 0.8 * (exp - now), now + 24 * 3600_000) });
    return tok;
  };
}
