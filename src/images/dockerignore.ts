// .dockerignore, as moby/patternmatcher reads it: one pattern per line, '#' comments, leading '/' ignored,
// '!' re-includes, '*' '?' '[...]' within a path component, '**' across components; a pattern that matches a
// directory excludes everything in it; the last matching pattern decides.
import { posix } from 'node:path';

interface Pattern { re: RegExp; exclusion: boolean }

export class DockerIgnore {
  private readonly patterns: Pattern[];
  readonly hasExclusions: boolean;

  constructor(text: string) {
    this.patterns = [];
    for (let line of text.split(/\r?\n/)) {
      if (line.startsWith('#')) continue;
      line = line.trim();
      if (!line) continue;
      let exclusion = false;
      if (line.startsWith('!')) { exclusion = true; line = line.slice(1).trim(); }
      let p = posix.normalize(line.replace(/^\/+/, ''));
      if (p === '.' || p === '') continue;
      p = p.replace(/\/+$/, '');
      this.patterns.push({ re: patternToRegExp(p), exclusion });
    }
    this.hasExclusions = this.patterns.some((p) => p.exclusion);
  }

  /** Whether a context-relative path (posix, no leading "./") is excluded from the build context. */
  ignores(rel: string): boolean {
    const file = posix.normalize(rel);
    const parents = posix.dirname(file) === '.' ? [] : posix.dirname(file).split('/');
    let matched = false;
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue;
      let m = p.re.test(file);
      for (let i = 0; !m && i < parents.length; i++) m = p.re.test(parents.slice(0, i + 1).join('/'));
      if (m) matched = !p.exclusion;
    }
    return matched;
  }
}

function patternToRegExp(p: string): RegExp {
  let re = '^';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') {
      if (p[i + 1] === '*') {
        i++;
        if (p[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0) { re += '\\['; continue; }
      let cls = p.slice(i + 1, end);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < p.length) { i++; re += escapeRe(p[i]!); }
    else re += escapeRe(c);
  }
  return new RegExp(re + '$');
}

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
