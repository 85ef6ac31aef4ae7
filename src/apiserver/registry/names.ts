// Random name suffixes as upstream's names.SimpleNameGenerator (utilrand.String): consonants and digits only,
// so generated names never spell words.
import { randomInt } from 'node:crypto';
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';
export function randomSuffix(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphanums[randomInt(alphanums.length)];
  return s;
}
