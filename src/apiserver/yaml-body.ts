// Decoding YAML request bodies safely. The yaml library recurses once per nesting level, and a body nested a few
// hundred levels deep overflows the stack; V8 has been seen to abort the whole process (a fatal "RegExpCompiler
// Allocation failed") instead of throwing when that overflow lands in a lazy regular-expression compile. So the
// nesting is bounded by a cheap scan before the parser sees the text. Values are plain JSON: YAML 1.1 tags such as
// !!binary, !!set or !!timestamp stay strings rather than becoming Uint8Array, Set or Date objects that the rest
// of the apiserver does not expect, and the parser's warnings are not printed (a client must not write to our logs).
import { parse } from 'yaml';

/**
 * The deepest YAML nesting a request body may have. Lower than the JSON limit (negotiation.ts) because the YAML
 * parser needs several stack frames per level; no manifest comes near it (a Deployment is about 15 deep).
 */
export const maxYamlDepth = 200;

export class YamlDepthError extends Error {}

/**
 * Whether the text may nest deeper than `limit`: an upper bound counting block indentation levels, the block
 * indicators that open a collection on one line ("- - x", "? - x"), and flow brackets (also inside quoted strings,
 * which only overestimates).
 */
export function yamlMayExceedDepth(text: string, limit: number): boolean {
  const indents: number[] = [];
  let flow = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    // Start of a line: its indentation.
    let col = 0;
    while (i < n && (text[i] === ' ' || text[i] === '\t')) { i++; col++; }
    if (i >= n) break;
    if (text[i] === '\n' || text[i] === '\r') { i++; continue; }
    if (text[i] !== '#') {
      while (indents.length && indents[indents.length - 1] >= col) indents.pop();
      indents.push(col);
    }
    // Indicators that each open one more level on this line.
    let inline = 0;
    while (i + 1 < n && (text[i] === '-' || text[i] === '?' || text[i] === ':') && (text[i + 1] === ' ' || text[i + 1] === '\t')) {
      inline++; i += 2;
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    }
    for (; i < n && text[i] !== '\n' && text[i] !== '\r'; i++) {
      const c = text[i];
      if (c === '[' || c === '{') { if (indents.length + inline + ++flow > limit) return true; }
      else if ((c === ']' || c === '}') && flow > 0) flow--;
    }
    if (indents.length + inline + flow > limit) return true;
  }
  return false;
}

/** Parses one YAML document into plain JSON values. Throws YamlDepthError past maxYamlDepth, else the parser's error. */
export function parseYamlBody(text: string, opts: { strict?: boolean } = {}): unknown {
  if (yamlMayExceedDepth(text, maxYamlDepth)) throw new YamlDepthError(`exceeded max depth of ${maxYamlDepth} nested collections`);
  try {
    return parse(text, { ...(opts.strict ? { strict: true, uniqueKeys: true } : {}), resolveKnownTags: false, logLevel: 'error' });
  } catch (e) {
    // The scan is an estimate; a stack overflow that still happens is the same answer, never the engine's words.
    if (e instanceof RangeError || /call stack/i.test((e as Error)?.message ?? '')) throw new YamlDepthError(`exceeded max depth of ${maxYamlDepth} nested collections`);
    throw e;
  }
}
