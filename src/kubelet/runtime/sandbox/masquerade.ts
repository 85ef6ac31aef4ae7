// Outbound NAT for the pod network, one rule per cluster instead of the bridge plugin's per-pod ipMasq chains:
//   -t nat POSTROUTING -s <podCIDR> ! -d <podCIDR> -m comment --comment nanokube-<hash> -j MASQUERADE
// The bridge plugin's ipMasq costs several iptables runs per pod start and stop (a chain and rules per pod); one
// rule per cluster does the same job (as kindnet and ip-masq-agent do) and keeps pod startup short.
// removeClusterRules also removes, by their comments, any rule the CNI plugins of this cluster's network left
// (e.g. portmap's after a crash whose state was lost), and the CNI-* chains that were only theirs.
import { run } from './helpers.js';

async function iptables(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('iptables', ['-w', '5', ...args]);
}

export async function ensureMasquerade(tag: string, podCIDR: string): Promise<void> {
  const rule = ['POSTROUTING', '-s', podCIDR, '!', '-d', podCIDR, '-m', 'comment', '--comment', tag, '-j', 'MASQUERADE'];
  if ((await iptables(['-t', 'nat', '-C', ...rule])).code === 0) return;
  // A rule for an older podCIDR of this cluster goes first.
  await removeRulesTagged(tag, 'nat', (line) => line.includes(`--comment ${tag} `) || line.endsWith(`--comment ${tag}`));
  const r = await iptables(['-t', 'nat', '-A', ...rule]);
  if (r.code !== 0) throw new Error(`adding the pod network's masquerade rule failed: ${r.stderr.trim()}`);
}

/** Removes this cluster's masquerade rule and every rule a plugin made for its network (`name: "<network>"`). */
export async function removeClusterRules(tag: string, network: string): Promise<void> {
  for (const table of ['nat', 'filter']) {
    await removeRulesTagged(tag, table, (line) => line.includes(`--comment ${tag}`) || line.includes(`name: \\"${network}\\"`));
  }
}

async function removeRulesTagged(_tag: string, table: string, match: (line: string) => boolean): Promise<void> {
  const list = await iptables(['-t', table, '-S']);
  if (list.code !== 0) return;
  const lines = list.stdout.split('\n');
  const chains = new Set<string>();
  for (const line of lines) {
    if (!line.startsWith('-A ') || !match(line)) continue;
    const words = splitRule(line);
    const chain = words[1]!;
    if (chain.startsWith('CNI-')) chains.add(chain);
    const j = words.indexOf('-j');
    if (j > 0 && words[j + 1]?.startsWith('CNI-')) chains.add(words[j + 1]!);
    await iptables(['-t', table, '-D', ...words.slice(1)]);
  }
  // CNI chains left without rules pointing at them and only our rules in them are removed.
  const after = (await iptables(['-t', table, '-S'])).stdout;
  for (const chain of chains) {
    const referenced = after.split('\n').some((l) => l.startsWith('-A ') && !l.startsWith(`-A ${chain} `) && l.includes(`-j ${chain}`));
    const foreign = after.split('\n').some((l) => l.startsWith(`-A ${chain} `) && !match(l));
    if (referenced || foreign) continue;
    await iptables(['-t', table, '-F', chain]);
    await iptables(['-t', table, '-X', chain]);
  }
}

/** Splits an `iptables -S` line into arguments, honouring double quotes (with \" inside) as iptables prints them. */
function splitRule(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQ = false;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inQ) {
      if (ch === '\\' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') inQ = false; else cur += ch;
    } else if (ch === '"') { inQ = true; has = true; } else if (ch === ' ') {
      if (cur || has) out.push(cur);
      cur = ''; has = false;
    } else cur += ch;
  }
  if (cur || has) out.push(cur);
  return out;
}
