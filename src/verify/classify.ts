import * as path from 'node:path';
import { Cause, Difference, RawDifference, SideEnv } from './model.js';
import { pexHashSources, pexWheelTimes } from './pex.js';
import { changedLines, isText } from './textdiff.js';

/**
 * Gives each difference a likely cause by checking the differing content against what was
 * varied between the two builds: a side's build path or HOME in its own bytes, its user or
 * hostname, the varied time zone or locale, dates near the build clock, random-looking tokens.
 */
export function classify(d: RawDifference, a: SideEnv, b: SideEnv): Difference {
  const { cause, why } = causeOf(d, a, b);
  return {
    member: d.member,
    kind: d.kind,
    cause,
    detail: why ? `${d.detail}\n(cause: ${why})` : d.detail
  };
}

type Verdict = { cause: Cause; why?: string };

function causeOf(d: RawDifference, a: SideEnv, b: SideEnv): Verdict {
  switch (d.kind) {
    case 'mtime':
      return { cause: 'timestamp' };
    case 'order':
      return { cause: 'ordering' };
    case 'owner':
      return { cause: 'hostname-user', why: 'file owner recorded from the building user' };
    case 'mode': {
      const x = (Number(d.a) ^ Number(d.b)) & 0o7777;
      const umaskShaped = x !== 0 && (x & ~0o077) === 0;
      return {
        cause: 'permissions',
        why: umaskShaped ? 'only group/other bits differ: the umask of the build' : undefined
      };
    }
    default:
      break;
  }
  const wheelTimes = pexWheelTimes(d);
  if (wheelTimes) return { cause: 'timestamp', why: wheelTimes };
  const sides = sideText(d);
  if (!sides) return { cause: 'unknown' };
  // Archive headers (extra fields, gzip flags) are hex-like by nature: never call them random.
  const contentLike =
    d.kind === 'content' || d.kind === 'file' || d.kind === 'added' || d.kind === 'removed';
  return textCause(sides[0], sides[1], a, b, contentLike) ?? { cause: 'unknown' };
}

/** The differing text of each side: changed lines for text, printable strings for binaries. */
function sideText(d: RawDifference): [string[], string[]] | null {
  const str = (v: RawDifference['a']): string | null =>
    v === undefined ? null : Buffer.isBuffer(v) ? null : String(v);
  if (Buffer.isBuffer(d.a) && Buffer.isBuffer(d.b)) {
    if (isText(d.a) && isText(d.b)) {
      const c = changedLines(d.a.toString('utf8'), d.b.toString('utf8'));
      return [c.removed, c.added];
    }
    const sa = new Set(strings(d.a));
    const sb = new Set(strings(d.b));
    return [[...sa].filter((s) => !sb.has(s)), [...sb].filter((s) => !sa.has(s))].map((l) => [
      ...l,
      ...nearInts(d)
    ]) as [string[], string[]];
  }
  const sa = str(d.a);
  const sb = str(d.b);
  if (sa === null && sb === null) return null;
  return [sa === null ? [] : [sa], sb === null ? [] : [sb]];
}

/** Printable ASCII runs of 4+ characters (like strings(1)). */
export function strings(buf: Buffer, min = 4): string[] {
  return buf.toString('latin1').match(new RegExp(`[\\x20-\\x7e\\t]{${min},}`, 'g')) ?? [];
}

/** Little-endian 32-bit integers around the first differing byte, written as decimal words. */
function nearInts(d: RawDifference): string[] {
  const a = d.a as Buffer;
  const b = d.b as Buffer;
  let off = 0;
  while (off < a.length && off < b.length && a[off] === b[off]) off++;
  const out: string[] = [];
  for (let i = Math.max(0, off - 3); i <= off && i + 4 <= a.length && i + 4 <= b.length; i++) {
    out.push(`int:${a.readUInt32LE(i)}`);
  }
  return out;
}

function textCause(
  ra: string[],
  rb: string[],
  a: SideEnv,
  b: SideEnv,
  contentLike = true
): Verdict | null {
  const ta = ra.join('\n');
  const tb = rb.join('\n');
  const both = `${ta}\n${tb}`;
  if (!ta && !tb) return null;
  // The build's own path or HOME in its own output.
  for (const [side, text] of [
    [a, ta],
    [b, tb]
  ] as const) {
    for (const p of [side.workRoot, side.home]) {
      if (p && p.length > 1 && p !== '/' && text.includes(p))
        return { cause: 'build-path', why: `${side.label} build's path ${p} appears` };
    }
  }
  for (const [side, other, text, otherText] of [
    [a, b, ta, tb],
    [b, a, tb, ta]
  ] as const) {
    for (const v of [side.user, side.hostname]) {
      if (
        v &&
        v.length >= 3 &&
        v !== other.user &&
        v !== other.hostname &&
        word(v).test(text) &&
        !word(v).test(otherText)
      ) {
        return { cause: 'hostname-user', why: `${side.label} build's user/hostname ${v} appears` };
      }
    }
  }
  if (a.tz !== b.tz) {
    for (const side of [a, b]) {
      const hit = tzTokens(side.tz).find((t) => both.includes(t));
      if (hit) return { cause: 'timezone', why: `time zone ${side.tz} (${hit}) appears` };
    }
  }
  if (a.locale !== b.locale) {
    for (const side of [a, b]) {
      const hit = localeTokens(side.locale).find((t) => t.test(both));
      if (hit) return { cause: 'locale', why: `locale ${side.locale} appears` };
    }
    if (
      /\d,\d/.test(both) &&
      /\d\.\d/.test(both) &&
      ta.replace(/,/g, '.') === tb.replace(/,/g, '.')
    ) {
      return { cause: 'locale', why: 'decimal comma vs decimal point' };
    }
  }
  const ts = timestampToken(ta, a.clock) ?? timestampToken(tb, b.clock);
  if (ts) return { cause: 'timestamp', why: `date/time ${ts}` };
  const rnd = contentLike ? randomToken(ta, tb) : null;
  if (rnd) return { cause: 'randomness', why: `random-looking token ${rnd}` };
  if (/(^|[\s'"=(:])\/(tmp|var|home|root|build|run|private)\/\S+/.test(both))
    return { cause: 'build-path', why: 'absolute paths differ' };
  return null;
}

function word(v: string): RegExp {
  return new RegExp(
    `(^|[^A-Za-z0-9_-])${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_-])`
  );
}

/** Names and offsets a zone shows itself by: Pacific/Chatham, +1245, +12:45, GMT+12:45 ... */
export function tzTokens(tz: string | undefined): string[] {
  if (!tz || tz === 'UTC' || tz === 'Etc/UTC') return [];
  const out = new Set<string>([tz]);
  for (const month of [0, 6]) {
    try {
      const d = new Date(Date.UTC(2024, month, 15));
      const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
      const name = f.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
      const m = /GMT([+-])(\d\d):(\d\d)/.exec(name);
      if (m && !(m[2] === '00' && m[3] === '00')) {
        out.add(`${m[1]}${m[2]}${m[3]}`);
        out.add(`${m[1]}${m[2]}:${m[3]}`);
      }
    } catch {
      /* unknown zone: its name alone */
    }
  }
  return [...out];
}

function localeTokens(locale: string | undefined): RegExp[] {
  if (!locale) return [];
  const base = locale.split('.')[0];
  if (base === 'C' || base === 'POSIX')
    return [/ANSI_X3\.4-1968/, new RegExp(`['"=]${base}(\\.[Uu][Tt][Ff]-?8)?['"\\s]`), /\bPOSIX\b/];
  return [new RegExp(`\\b${base}\\b`)];
}

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const DATE_RES = [
  /\b(19|20)\d\d-[01]\d-[0-3]\d([T ][0-2]\d:[0-5]\d(:[0-5]\d)?)?/,
  new RegExp(`\\b(${MONTHS}) +\\d{1,2} +(19|20)\\d\\d\\b`),
  /\b[0-2]\d:[0-5]\d:[0-5]\d\b/
];

/** A date string, or an epoch number (s or ms) within a few days of the build's clock. */
export function timestampToken(text: string, clock: number): string | null {
  for (const re of DATE_RES) {
    const m = re.exec(text);
    if (m) return m[0];
  }
  const near = (n: number): boolean => Math.abs(n - clock) < 3 * 86400;
  for (const m of text.matchAll(/(?:int:)?\b(\d{10}|\d{13})(?:\.\d+)?\b/g)) {
    const n = Number(m[1]);
    if (near(m[1].length === 13 ? n / 1000 : n)) return m[0].replace('int:', '');
  }
  return null;
}

/** A token present on only one side that looks random: hex, base64 or a long digit run. */
export function randomToken(ta: string, tb: string): string | null {
  const tokens = (t: string): Set<string> => new Set(t.match(/[A-Za-z0-9_+/=-]{8,}/g) ?? []);
  const sa = tokens(ta);
  const sb = tokens(tb);
  for (const [mine, theirs] of [
    [sa, sb],
    [sb, sa]
  ]) {
    for (const t of mine) {
      if (theirs.has(t)) continue;
      if (/^[0-9a-fA-F-]{8,}$/.test(t) && /\d/.test(t) && entropy(t) > 2.5) return t;
      if (/^\d{6,}$/.test(t)) return t;
      if (t.length >= 12 && /[a-z]/.test(t) && /[A-Z]/.test(t) && /\d/.test(t) && entropy(t) > 3.5)
        return t;
    }
  }
  return null;
}

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/**
 * Manifests of hashes whose lines change whenever a listed member changes: a wheel's RECORD
 * (rows relative to the directory holding the .dist-info, at the archive's root in a wheel, in
 * site-packages in a venv) and a .deb's md5sums (paths of data.tar.*). Each gives the members
 * a changed line lists, or null when `member` is no such manifest.
 */
function listedMembers(member: string, changed: string[]): string[] | null {
  const cut = member.lastIndexOf('!') + 1;
  const [outer, inner] = [member.slice(0, cut), member.slice(cut)];
  const record = /^(.*?)[^/]+\.dist-info\/RECORD$/.exec(inner);
  if (record) {
    // Rows may climb out (`../../../bin/x` in a venv); a `./` the archive writes stays.
    const dot = record[1].startsWith('./') ? './' : '';
    return changed.map((l) => outer + dot + path.posix.normalize(record[1] + l.split(',')[0]));
  }
  const deb = /^(.*!)?control\.tar(\.\w+)?!(\.\/)?md5sums$/.exec(member);
  if (deb) {
    const data = (p: string): string => `${deb[1] ?? ''}data.tar${deb[2] ?? ''}!./${p}`;
    return changed.map((l) => data(l.replace(/^[0-9a-f]{32} {2}/, '')));
  }
  return null;
}

/**
 * Classifies a whole archive's differences. A hash manifest (RECORD, md5sums) differs whenever
 * a member it lists does: its cause is that member's, not the "random" hash. A PEX's PEX-INFO
 * and `.layout.json` files hold hashes of its wheels' members in the same way.
 */
export function classifyAll(raws: RawDifference[], a: SideEnv, b: SideEnv): Difference[] {
  const out = raws.map((d) => classify(d, a, b));
  const explain = (i: number, sources: Difference[]): void => {
    out[i] = {
      ...out[i],
      cause: sources[0].cause,
      detail: `${raws[i].detail}\n(cause: lists the hashes of differing members: ${[...new Set(sources.map((s) => s.member))].join(', ')})`
    };
  };
  const manifests = raws.flatMap((raw, i) => {
    if (raw.kind !== 'content' || !Buffer.isBuffer(raw.a) || !Buffer.isBuffer(raw.b)) return [];
    const c = changedLines(raw.a.toString('utf8'), raw.b.toString('utf8'));
    const listed = listedMembers(raw.member, [...c.removed, ...c.added].filter(Boolean));
    return listed ? [{ i, listed }] : [];
  });
  // md5sums lists RECORD, which lists modules: settle RECORD first (one pass per level).
  for (let pass = 0; pass < 3; pass++) {
    const byMember = new Map(out.map((d) => [d.member, d]));
    for (const { i, listed } of manifests) {
      const sources = listed
        .map((m) => byMember.get(m))
        .filter((d): d is Difference => d !== undefined && d.member !== out[i].member);
      // Only when every changed line is explained by a member that itself differs.
      if (sources.length && listed.every((m) => byMember.has(m))) explain(i, sources);
    }
  }
  const pexSources = raws.map(pexHashSources);
  const bookkeeping = new Set([
    ...manifests.map((x) => x.i),
    ...pexSources.flatMap((p, i) => (p ? [i] : []))
  ]);
  const primary = out.filter((_, i) => !bookkeeping.has(i));
  pexSources.forEach((prefixes, i) => {
    if (!prefixes) return;
    // Each wheel (or the PEX) whose hash changed holds a member that differs for its own reason.
    const under = prefixes.map((p) => primary.find((d) => d.member.startsWith(p)));
    if (under.every((d): d is Difference => d !== undefined)) explain(i, under);
  });
  return out;
}
