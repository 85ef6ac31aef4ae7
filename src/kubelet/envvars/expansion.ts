// `$(VAR)` expansion exactly as upstream's third_party/forked/golang/expansion: `$(NAME)` is replaced by NAME's
// value when known and left as written when not, `$$` is an escaped `$`, an unclosed `$(` and a `$` before any
// other character stay as they are. Used for env values and for command/args (and subPathExpr).

export type Mapping = (name: string) => string;

/** A mapping looking NAME up in each context in turn; unknown names expand to themselves (`$(NAME)`). */
export function mappingFuncFor(...contexts: ReadonlyMap<string, string>[]): Mapping {
  return (name) => {
    for (const ctx of contexts) {
      const v = ctx.get(name);
      if (v !== undefined) return v;
    }
    return `$(${name})`;
  };
}

export function expand(input: string, mapping: Mapping): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] === '$' && cursor + 1 < input.length) {
      out += input.slice(checkpoint, cursor);
      const { read, isVar, advance } = tryReadVariableName(input.slice(cursor + 1));
      out += isVar ? mapping(read) : read;
      cursor += advance;
      checkpoint = cursor + 1;
    }
  }
  return out + input.slice(checkpoint);
}

function tryReadVariableName(input: string): { read: string; isVar: boolean; advance: number } {
  switch (input[0]) {
    case '$': return { read: '$', isVar: false, advance: 1 };
    case '(': {
      const close = input.indexOf(')', 1);
      if (close >= 1) return { read: input.slice(1, close), isVar: true, advance: close + 1 };
      return { read: '$(', isVar: false, advance: 1 };
    }
    default: return { read: '$' + input[0], isVar: false, advance: 1 };
  }
}
