// Word splitting and variable substitution for Dockerfile instructions other than RUN/CMD/ENTRYPOINT, as
// BuildKit's shell lexer does: quotes ('...' literal, "..." with substitution), the escape character, and
// $VAR, ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word}, ${VAR:?message}, ${VAR?message}.

export type Vars = ReadonlyMap<string, string>;

export class SubstitutionError extends Error {}

class Lexer {
  private i = 0;
  constructor(private readonly s: string, private readonly vars: Vars, private readonly escape: string) {}

  /** Words split on unquoted whitespace (ProcessWords). */
  words(): string[] {
    const out: string[] = [];
    let cur = '';
    let inWord = false;
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (/\s/.test(c)) {
        if (inWord) { out.push(cur); cur = ''; inWord = false; }
        this.i++;
        continue;
      }
      inWord = true;
      cur += this.piece();
    }
    if (inWord) out.push(cur);
    return out;
  }

  /** The whole string as one word (ProcessWord): quotes removed, variables substituted, whitespace kept. */
  word(): string {
    let cur = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (/\s/.test(c)) { cur += c; this.i++; continue; }
      cur += this.piece();
    }
    return cur;
  }

  /** One unit: a quoted run, an escape, a variable, or one plain character. */
  private piece(): string {
    const c = this.s[this.i]!;
    if (c === "'") {
      const end = this.s.indexOf("'", this.i + 1);
      if (end < 0) throw new SubstitutionError('unexpected end of statement while looking for matching single-quote');
      const v = this.s.slice(this.i + 1, end);
      this.i = end + 1;
      return v;
    }
    if (c === '"') {
      this.i++;
      let v = '';
      while (this.i < this.s.length && this.s[this.i] !== '"') {
        const d = this.s[this.i]!;
        if (d === this.escape && this.i + 1 < this.s.length && ['"', '$', this.escape].includes(this.s[this.i + 1]!)) { v += this.s[this.i + 1]; this.i += 2; continue; }
        if (d === '$') { v += this.variable(); continue; }
        v += d; this.i++;
      }
      if (this.i >= this.s.length) throw new SubstitutionError('unexpected end of statement while looking for matching double-quote');
      this.i++;
      return v;
    }
    if (c === this.escape) {
      this.i++;
      if (this.i >= this.s.length) return '';
      return this.s[this.i++]!;
    }
    if (c === '$') return this.variable();
    this.i++;
    return c;
  }

  private variable(): string {
    this.i++; // $
    const s = this.s;
    if (s[this.i] === '{') {
      this.i++;
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(this.i));
      if (!m) throw new SubstitutionError(`bad substitution in "${s}"`);
      const name = m[0];
      this.i += name.length;
      if (s[this.i] === '}') { this.i++; return this.vars.get(name) ?? ''; }
      let op = s[this.i]!;
      this.i++;
      let colon = false;
      if (op === ':') { colon = true; op = s[this.i]!; this.i++; }
      if (!['-', '+', '?'].includes(op)) throw new SubstitutionError(`unsupported modifier (${op}) in substitution "${s}"`);
      // The word runs to the matching brace; it is itself substituted.
      let depth = 1;
      const start = this.i;
      while (this.i < s.length && depth > 0) {
        if (s[this.i] === '{') depth++;
        else if (s[this.i] === '}') depth--;
        if (depth > 0) this.i++;
      }
      if (depth !== 0) throw new SubstitutionError(`missing '}' in "${s}"`);
      const wordRaw = s.slice(start, this.i);
      this.i++;
      const word = new Lexer(wordRaw, this.vars, this.escape).word();
      const set = this.vars.has(name);
      const val = this.vars.get(name) ?? '';
      const present = colon ? set && val !== '' : set;
      if (op === '-') return present ? val : word;
      if (op === '+') return present ? word : '';
      if (!present) throw new SubstitutionError(`${name}: ${word || 'is not allowed to be unset'}`);
      return val;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(this.i));
    if (!m) return '$';
    this.i += m[0].length;
    return this.vars.get(m[0]) ?? '';
  }
}

export function processWords(s: string, vars: Vars, escape = '\\'): string[] {
  return new Lexer(s, vars, escape).words();
}

export function processWord(s: string, vars: Vars, escape = '\\'): string {
  return new Lexer(s, vars, escape).word();
}
