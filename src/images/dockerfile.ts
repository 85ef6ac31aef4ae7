// Dockerfile parsing: dockerfile-ast finds the instructions (escape directive, line continuations) and where each
// one is; this module turns each into the logical line the builder runs, as BuildKit's parser does: continuation
// lines joined, comment and empty lines inside a continuation dropped, leading --flags split off, and the JSON
// (exec) form recognized when the arguments parse as a JSON array of strings.
import { DockerfileParser } from 'dockerfile-ast';

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, ... */
  keyword: string;
  /** 1-based line of the keyword. */
  line: number;
  /** Flags before the arguments (`--chown=1:1` → { chown: '1:1' }). */
  flags: Record<string, string>;
  /** The arguments as one logical line (flags removed). */
  args: string;
  /** The exec form's strings, when the arguments are a JSON array of strings. */
  json?: string[];
  /** As written, on one line, for "Step N/M : ..." output. */
  original: string;
}

export interface ParsedDockerfile {
  escape: string;
  instructions: Instruction[];
}

export class DockerfileSyntaxError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
    this.name = 'DockerfileSyntaxError';
  }
}

const FLAG_KEYWORDS = new Set(['FROM', 'COPY', 'ADD', 'RUN', 'HEALTHCHECK']);

export function parseDockerfile(text: string): ParsedDockerfile {
  const df = DockerfileParser.parse(text);
  const escape = df.getEscapeCharacter() || '\\';
  const lines = text.split(/\r?\n/);
  const instructions: Instruction[] = [];
  for (const ins of df.getInstructions()) {
    const r = ins.getRange();
    const first = lines[r.start.line] ?? '';
    const kwMatch = /^\s*(\S+)/.exec(first);
    const keyword = ins.getKeyword().toUpperCase();
    // Join the instruction's physical lines.
    let joined = '';
    for (let l = r.start.line; l <= r.end.line && l < lines.length; l++) {
      let s = lines[l]!;
      if (l === r.start.line) s = s.slice((kwMatch?.index ?? 0) + (kwMatch?.[1]?.length ?? 0));
      else if (/^\s*(#.*)?$/.test(s)) continue; // comments and empty lines inside a continuation
      const t = s.replace(/\s+$/, '');
      if (t.endsWith(escape) && l < r.end.line) joined += t.slice(0, -escape.length);
      else joined += s;
    }
    let args = joined.trim();
    const flags: Record<string, string> = {};
    if (FLAG_KEYWORDS.has(keyword)) {
      for (;;) {
        const m = /^--([a-zA-Z][\w-]*)(?:=(\S*))?(?:\s+|$)/.exec(args);
        if (!m) break;
        flags[m[1]!] = m[2] ?? 'true';
        args = args.slice(m[0].length);
      }
    }
    let json: string[] | undefined;
    if (args.startsWith('[')) {
      try {
        const v = JSON.parse(args) as unknown;
        if (Array.isArray(v) && v.every((x) => typeof x === 'string')) json = v as string[];
      } catch { /* shell form */ }
    }
    const original = `${kwMatch?.[1] ?? keyword} ${Object.entries(flags).map(([k, v]) => `--${k}=${v} `).join('')}${args}`.trim();
    instructions.push({ keyword, line: r.start.line + 1, flags, args, ...(json ? { json } : {}), original });
  }
  return { escape, instructions };
}
