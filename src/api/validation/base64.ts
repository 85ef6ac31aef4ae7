// Go's encoding/json decodes []byte fields (Secret.data, ConfigMap.binaryData) with base64.StdEncoding; a bad
// value fails the request with 400 before validation. This reproduces that decoder's acceptance and the byte
// offset it reports ("illegal base64 data at input byte N"), newlines ignored as Go does.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const isNewline = (c: string) => c === '\n' || c === '\r';

/** Returns the offset Go reports for the first corrupt byte, or -1 when `s` is valid standard base64. */
export function base64CorruptOffset(s: string): number {
  let si = 0;
  while (si < s.length) {
    // One quantum of up to 4 symbols.
    for (let j = 0; j < 4; j++) {
      if (si === s.length) {
        if (j === 0) return -1;
        return si - j; // missing padding
      }
      const c = s[si++];
      if (ALPHABET.includes(c)) continue;
      if (isNewline(c)) { j--; continue; }
      if (c !== '=') return si - 1;
      // Padding reached.
      if (j === 0 || j === 1) return si - 1;
      if (j === 2) {
        while (si < s.length && isNewline(s[si])) si++;
        if (si === s.length) return s.length;
        if (s[si] !== '=') return si - 1;
        si++;
      }
      while (si < s.length && isNewline(s[si])) si++;
      if (si < s.length) return si; // trailing garbage
      return -1;
    }
    // Go skips newlines between quanta as part of the next quantum; trailing newlines are fine.
    while (si < s.length && isNewline(s[si])) si++;
  }
  return -1;
}

/** The error text Go's decoder gives, or undefined when valid. */
export function base64Error(s: string): string | undefined {
  const at = base64CorruptOffset(s);
  return at < 0 ? undefined : `illegal base64 data at input byte ${at}`;
}
