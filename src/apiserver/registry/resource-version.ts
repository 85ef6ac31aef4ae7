import { badRequest } from '../../api/errors.js';

/**
 * A resourceVersion from a list or watch request, as upstream's APIObjectVersioner parses it (an unsigned integer).
 * Upstream answers a malformed one with a 500 carrying this message (kubernetes#113939); a client error is a 400.
 */
export function parseResourceVersion(rv: string): number {
  if (!/^[0-9]+$/.test(rv)) {
    throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`);
  }
  const n = Number(rv);
  if (!Number.isSafeInteger(n)) throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: value out of range`);
  return n;
}
