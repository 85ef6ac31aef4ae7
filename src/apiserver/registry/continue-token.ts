// The continue token of a paged list: the revision the first page was read at and the last key returned, so the
// next page reads the same snapshot after that key (upstream's etcd3 continue token carries the same two things).
import { badRequest } from '../../api/errors.js';

export interface ContinuePosition { revision: number; startKey: string }

export function encodeContinue(pos: ContinuePosition): string {
  return Buffer.from(JSON.stringify({ rv: pos.revision, start: pos.startKey })).toString('base64url');
}

/** Throws a 400 with upstream's message for a token this server did not issue. */
export function decodeContinue(token: string): ContinuePosition {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const revision = Number(c.rv);
    if (!Number.isInteger(revision) || revision <= 0) throw new Error('bad');
    return { revision, startKey: String(c.start) };
  } catch { throw badRequest('continue key is not valid: the provided continue parameter is malformed'); }
}
