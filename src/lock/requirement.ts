import { normalizeName } from '../runtime/wheelname.js';

/** The parts of a PEP 508 requirement a lock check needs. */
export interface Requirement {
  /** Normalised project name. */
  name: string;
  /** Version specifier without parentheses ('' for any version). */
  specifier: string;
  /** Direct reference (`name @ url`), when given. */
  url?: string;
  /** Environment marker, when given. */
  marker?: string;
}

const REQ =
  /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(?:@\s*([^\s;]+)|\(?\s*([^;()]*?)\s*\)?)\s*(?:;\s*(.+?))?\s*$/;

/** Splits a PEP 508 requirement; null when it is not one (an option, a path). */
export function parseRequirement(text: string): Requirement | null {
  const m = REQ.exec(text);
  if (!m) return null;
  return {
    name: normalizeName(m[1]),
    specifier: (m[3] ?? '').replace(/\s+/g, ''),
    ...(m[2] ? { url: m[2] } : {}),
    ...(m[4] ? { marker: m[4].trim() } : {})
  };
}
