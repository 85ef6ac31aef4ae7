// Equality of API objects as JSON values. Controllers use it to skip writes that change nothing; the apiserver to
// answer no-op updates without a new resourceVersion. (Go-style semantic equality, where empty equals absent, is
// validation's semanticEqual.)

/**
 * JSON equality ignoring key order, with keys whose value is undefined treated as absent (as after a JSON round
 * trip). Exits at the first difference; no intermediate strings.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>, bo = b as Record<string, unknown>;
  let n = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    n++;
    if (!deepEqual(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) n--;
  return n === 0;
}
