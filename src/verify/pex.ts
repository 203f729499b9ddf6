import { RawDifference } from './model.js';

/**
 * What a PEX file's own bookkeeping says about its other members. A PEX (pex's zipapp layout) holds
 * `.bootstrap/` (pex's runtime), `.deps/<wheel file name>/` (each wheel installed as a chroot,
 * with its RECORD, a `.layout.json` carrying the wheel's fingerprint and
 * `<name>.pex-info/original-whl-info.json` listing the wheel's member times) and `PEX-INFO`
 * (JSON: every wheel's fingerprint, hashes of the code, the bootstrap and the whole PEX). A
 * change in one wheel's member changes those hashes too: like a wheel's RECORD they follow the
 * member, they are not themselves random.
 */

/** PEX-INFO fields that are hashes of other members. */
const PEX_INFO_HASHES = new Set(['pex_hash', 'code_hash', 'bootstrap_hash']);

function json(v: RawDifference['a']): Record<string, unknown> | null {
  if (!Buffer.isBuffer(v)) return null;
  try {
    const o = JSON.parse(v.toString('utf8')) as unknown;
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Top-level keys whose values differ (present on one side only included). */
function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/**
 * For a difference in PEX bookkeeping that only repeats hashes, the member prefixes whose
 * differences explain it (each must hold at least one); null for anything else.
 */
export function pexHashSources(d: RawDifference): string[] | null {
  if (d.kind !== 'content') return null;
  const a = json(d.a);
  const b = json(d.b);
  if (!a || !b) return null;
  const info = /(^|!)PEX-INFO$/.exec(d.member);
  if (info) {
    const root = d.member.slice(0, d.member.length - 'PEX-INFO'.length);
    const changed = changedKeys(a, b);
    if (!changed.every((k) => k === 'distributions' || PEX_INFO_HASHES.has(k))) return null;
    const dists = changed.includes('distributions')
      ? changedKeys(
          (a.distributions ?? {}) as Record<string, unknown>,
          (b.distributions ?? {}) as Record<string, unknown>
        ).map((wheel) => `${root}.deps/${wheel}/`)
      : [];
    // The whole-PEX hash alone changed: some member of this PEX differs.
    return dists.length ? dists : [root];
  }
  const layout = /^(.*(?:^|[!/])\.deps\/[^/!]+\/)\.layout\.json$/.exec(d.member);
  if (layout) {
    const changed = changedKeys(a, b);
    return changed.length === 1 && changed[0] === 'fingerprint' ? [layout[1]] : null;
  }
  return null;
}

/** A date-time tuple as pex writes a zip member's time: `[2024, 1, 31, 12, 0, 0]`. */
const DATE_TUPLE = /\[(19|20)\d\d,\s*\d{1,2},\s*\d{1,2},\s*\d{1,2},\s*\d{1,2},\s*\d{1,2}\]/g;

/**
 * `original-whl-info.json` records the member times of the wheel pex installed: when only those
 * differ, the wheel was not built with fixed timestamps.
 */
export function pexWheelTimes(d: RawDifference): string | null {
  if (d.kind !== 'content' || !/\.pex-info\/original-whl-info\.json$/.test(d.member)) return null;
  if (!Buffer.isBuffer(d.a) || !Buffer.isBuffer(d.b)) return null;
  const strip = (v: Buffer): string => v.toString('utf8').replace(DATE_TUPLE, '[]');
  return strip(d.a) === strip(d.b)
    ? 'the member times of the wheel pex installed (recorded in the PEX)'
    : null;
}
