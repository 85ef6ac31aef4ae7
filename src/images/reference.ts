// Image references, normalized as docker's distribution/reference does (ParseNormalizedNamed + TagNameOnly):
//   busybox                                → docker.io/library/busybox:latest
//   your-dockerhub-username/flask-app      → docker.io/your-dockerhub-username/flask-app:latest
//   localhost:5000/app:v1                  → localhost:5000/app:v1
//   busybox@sha256:<hex>                   → docker.io/library/busybox@sha256:<hex>
// A first path component is a registry domain only if it has a "." or ":" or is "localhost", as upstream.

export interface ImageReference {
  /** Registry domain, e.g. "docker.io". */
  domain: string;
  /** Repository path inside the registry, e.g. "library/busybox". */
  path: string;
  tag?: string;
  digest?: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;

export class InvalidReferenceError extends Error {
  constructor(ref: string, readonly why: string) {
    super(`invalid image reference "${ref}": ${why}`);
    this.name = 'InvalidReferenceError';
  }
}

/** Parses and normalizes a reference; the tag defaults to "latest" when neither tag nor digest is given. */
export function parseReference(ref: string): ImageReference {
  if (ref.length === 0) throw new InvalidReferenceError(ref, 'empty');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidReferenceError(ref, 'invalid digest');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(ref, 'invalid tag');
  }
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      path = rest.slice(slash + 1);
      if (!DOMAIN.test(domain)) throw new InvalidReferenceError(ref, 'invalid registry domain');
    }
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (path.length === 0) throw new InvalidReferenceError(ref, 'empty repository name');
  if (path !== path.toLowerCase()) throw new InvalidReferenceError(ref, 'repository name must be lowercase');
  for (const c of path.split('/')) {
    if (!PATH_COMPONENT.test(c)) throw new InvalidReferenceError(ref, `invalid repository name component "${c}"`);
  }
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path;
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** "docker.io/library/busybox" */
export function repositoryName(r: ImageReference): string {
  return `${r.domain}/${r.path}`;
}

/** The full normalized string: "docker.io/library/busybox:latest" (or "...@sha256:..."). */
export function formatReference(r: ImageReference): string {
  return repositoryName(r) + (r.tag !== undefined ? `:${r.tag}` : '') + (r.digest !== undefined ? `@${r.digest}` : '');
}

/** Normalizes a reference string ("busybox" → "docker.io/library/busybox:latest"); throws on an invalid one. */
export function normalizeReference(ref: string): string {
  return formatReference(parseReference(ref));
}

/** The short form docker prints ("docker.io/library/busybox:latest" → "busybox:latest"). */
export function familiarName(ref: string): string {
  const r = parseReference(ref);
  let name = r.domain === DEFAULT_DOMAIN ? r.path : repositoryName(r);
  if (r.domain === DEFAULT_DOMAIN && name.startsWith(OFFICIAL_REPO_PREFIX) && name.split('/').length === 2) name = name.slice(OFFICIAL_REPO_PREFIX.length);
  return name + (r.tag !== undefined ? `:${r.tag}` : '') + (r.digest !== undefined ? `@${r.digest}` : '');
}

/** True for "sha256:<64 hex>" or a hex prefix of an image ID of at least 12 characters (as `docker image rm 1a2b3c...`). */
export function isImageIdLike(ref: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(ref) || /^(?:sha256:)?[0-9a-f]{12,64}$/.test(ref);
}
