// The JSONPath subset additionalPrinterColumns use (kubectl's jsonpath, as upstream's Table convertor runs it):
// ".spec.replicas", ".status.conditions[0].type", ".spec.items[*].name", ".metadata.labels['app']",
// optionally wrapped in {}. Results of a wildcard are joined with commas.

type Step = { key: string } | { index: number } | { all: true };

export function parseJsonPath(path: string): Step[] | undefined {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\*\]|\.\*|\['([^']*)'\]|\["([^"]*)"\]/y;
  let i = 0;
  while (i < p.length) {
    re.lastIndex = i;
    const m = re.exec(p);
    if (!m) return undefined;
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ key: m[3] });
    else if (m[4] !== undefined) steps.push({ key: m[4] });
    else steps.push({ all: true });
    i = re.lastIndex;
  }
  return steps;
}

/** Every value the path reaches (none when it reaches nothing). */
export function evaluateJsonPath(steps: Step[], obj: unknown): unknown[] {
  let cur: unknown[] = [obj];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== 'object') continue;
      if ('key' in s) { const x = (v as Record<string, unknown>)[s.key]; if (x !== undefined) next.push(x); }
      else if ('index' in s) { if (Array.isArray(v) && s.index < v.length) next.push(v[s.index]); }
      else next.push(...(Array.isArray(v) ? v : Object.values(v)));
    }
    cur = next;
  }
  return cur;
}
