// Duplicate keys in a JSON request body. JSON.parse keeps the last value silently; upstream's strict decoder
// (sigs.k8s.io/json) reports each as `duplicate field "<path>"`, which fieldValidation turns into a 400 (Strict)
// or a Warning (Warn), as it does unknown fields.

/**
 * The paths of keys that appear more than once in the same object, in document order, as upstream writes them:
 * keys joined with ".", list items as "[i]" (e.g. `spec.containers[0].name`). `text` must be valid JSON.
 */
export function duplicateFields(text: string): string[] {
  const out: string[] = [];
  // The open objects and lists, each with the key or index it is at; a path is spelled only for a duplicate.
  type Frame = { obj: boolean; keys?: Set<string>; index: number; key?: string };
  const stack: Frame[] = [];
  /** The path of the value stack[depth] is (its parents' keys and indexes). */
  const pathOf = (depth: number): string => {
    let p = '';
    for (let d = 0; d < depth; d++) {
      const f = stack[d];
      p = f.obj ? (p ? `${p}.${f.key}` : f.key!) : `${p}[${f.index}]`;
    }
    return p;
  };
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) j++, escaped = true;
        else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.obj) {
        // A body that reached us as YAML in JSON clothing may hold escapes JSON has not ("\e"): taken as written.
        let key = text.slice(i + 1, j);
        if (escaped) { try { key = JSON.parse(text.slice(i, j + 1)) as string; } catch { /* not a JSON string */ } }
        if (top.keys!.has(key)) { const p = pathOf(stack.length - 1); out.push(p ? `${p}.${key}` : key); }
        else top.keys!.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */) {
      stack.push({ obj: true, keys: new Set(), index: 0 });
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push({ obj: false, index: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.obj) expectKey = true; else if (top) top.index++;
    }
  }
  return out;
}
