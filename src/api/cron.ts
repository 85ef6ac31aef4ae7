// CronJob schedules as upstream reads them (robfig/cron's ParseStandard): five fields (minute hour day-of-month
// month day-of-week), the descriptors @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly and @every <d>,
// an optional "TZ=<zone> " or "CRON_TZ=<zone> " prefix. Both the apiserver (validation) and the CronJob controller
// (next run times) use this one parser. The field matching itself is croner's (Vixie cron semantics: when both
// day fields are restricted, either may match).
import { Cron } from 'croner';

export interface CronSchedule {
  /** The first activation strictly after afterMs (ms since the epoch, whole seconds); undefined when there is none. */
  next(afterMs: number): number | undefined;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

interface Bounds { min: number; max: number; names?: string[] }
const FIELD_BOUNDS: Bounds[] = [
  { min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 },
  { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** robfig/cron's mustParseInt, with Go's strconv.Atoi wording. */
function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new Error(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

/**
 * robfig/cron's getRange: one comma-separated part of a field ("*", "a", "a-b", with an optional "/step"), checked
 * with its messages, so validation says what upstream's does ("end of range (61) above maximum (59): 61"). Only the
 * syntax robfig accepts passes (no L, W or #; day-of-week 0-6).
 */
function checkRange(expr: string, b: Bounds): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  const intOrName = (s: string) => { const i = b.names?.indexOf(s.toLowerCase()) ?? -1; return i >= 0 ? i + (b.min === 1 ? 1 : 0) : mustParseInt(s); };
  let start: number, end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') { start = b.min; end = b.max; } else {
    start = intOrName(lowAndHigh[0]);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1]);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]);
    if (lowAndHigh.length === 1) end = b.max;
  } else if (rangeAndStep.length > 2) throw new Error(`too many slashes: ${expr}`);
  if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
}

/** Whether zone is a time zone name this process knows (Go's time.LoadLocation). */
export function isKnownTimeZone(zone: string): boolean {
  if (zone === 'UTC' || zone === '') return true;
  try { new Intl.DateTimeFormat('en-US', { timeZone: zone }); return true; } catch { return false; }
}

/** Go's time.ParseDuration for the units @every takes (h, m, s, ms); undefined when unparsable. */
function parseGoDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/y;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0, i = 0;
  if (!s) return undefined;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]];
    i = re.lastIndex;
  }
  return total;
}

/**
 * Parses a schedule; throws an Error whose message is robfig/cron's where it has one (it becomes the validation
 * detail: `spec.schedule: Invalid value: "x": <message>`). timeZone (spec.timeZone) applies unless the schedule
 * names its own; without either, the schedule runs in UTC (the controller manager's local zone upstream; ours is UTC).
 */
export function parseCronSchedule(spec: string, timeZone?: string): CronSchedule {
  if (spec.length === 0) throw new Error('empty spec string');
  let rest = spec.trim();
  let zone = timeZone || 'UTC';
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const i = rest.indexOf(' ');
    const name = rest.slice(rest.indexOf('=') + 1, i < 0 ? undefined : i);
    if (!isKnownTimeZone(name)) throw new Error(`provided bad location ${name}: unknown time zone ${name}`);
    zone = name;
    rest = i < 0 ? '' : rest.slice(i).trim();
  }
  if (rest.startsWith('@')) {
    if (rest.startsWith('@every ')) {
      const d = parseGoDuration(rest.slice(7).trim());
      if (d === undefined) throw new Error(`failed to parse duration ${rest}: time: invalid duration "${rest.slice(7).trim()}"`);
      // ConstantDelaySchedule: at least a second, whole seconds.
      const delay = Math.max(1000, Math.floor(d / 1000) * 1000);
      return { next: (after) => Math.floor(after / 1000) * 1000 + delay };
    }
    const expanded = DESCRIPTORS[rest];
    if (!expanded) throw new Error(`unrecognized descriptor: ${rest}`);
    rest = expanded;
  }
  const fields = rest.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  fields.forEach((f, i) => { for (const expr of f.split(',')) checkRange(expr, FIELD_BOUNDS[i]); });
  let cron: Cron;
  try {
    cron = new Cron(fields.join(' '), { timezone: zone, paused: true });
  } catch (e) {
    throw new Error((e as Error).message.replace(/^CronPattern: /, ''));
  }
  return {
    next(after) {
      const d = cron.nextRun(new Date(after));
      return d ? d.getTime() : undefined;
    },
  };
}
