import { InspectionFinding } from '../../manifest/model.js';
import { tail } from '../../runtime/exec.js';
import { InspectTool } from './tools.js';

/**
 * Output parsers of the pinned tools (tools.ts). A tool that exits non-zero without a finding
 * they recognise (a crash, a changed format) is one `failed` finding with its last line, so a
 * failing tool never passes an artifact silently.
 */

/**
 * `twine --no-color check --strict FILE`: `ERROR    text` / `WARNING  text` blocks, continued by
 * lines indented to the text. Each keeps twine's own level (`--strict` makes twine fail on
 * warnings too; `fail-on-inspection = warning` is that verdict).
 */
export function parseTwineCheck(output: string, code: number): InspectionFinding[] {
  const findings: InspectionFinding[] = [];
  let current: { level: InspectionFinding['level']; lines: string[] } | null = null;
  const flush = (): void => {
    if (!current) return;
    const message = current.lines.join('\n').trim();
    findings.push({ tool: 'twine', code: twineCode(message), message, level: current.level });
    current = null;
  };
  for (const raw of output.split('\n')) {
    const line = raw.trimEnd();
    const head = /^(ERROR|WARNING)\s+(.*)$/.exec(line);
    if (head) {
      flush();
      current = { level: head[1] === 'ERROR' ? 'error' : 'warning', lines: [head[2]] };
    } else if (current && (line === '' || /^\s/.test(line))) {
      // Blank lines separate the parts of one block (docutils' report quotes the source).
      if (line.trim()) current.lines.push(line.trim());
    } else flush();
  }
  flush();
  return withFailure('twine', findings, output, code);
}

/** The metadata field a twine message is about (`long_description`), else `metadata`. */
function twineCode(message: string): string {
  return /^`([a-z_]+)`/.exec(message)?.[1] ?? 'metadata';
}

/**
 * `check-wheel-contents FILE`: `FILE: W005: text:` followed by the offending paths, indented by
 * two spaces. Its checks are all warnings (`Wxxx`).
 */
export function parseCheckWheelContents(output: string, code: number): InspectionFinding[] {
  const findings: InspectionFinding[] = [];
  let current: { code: string; text: string; items: string[] } | null = null;
  const flush = (): void => {
    if (!current) return;
    const text = current.text.replace(/:$/, '');
    const message = current.items.length ? `${text}: ${current.items.join(', ')}` : text;
    findings.push({ tool: 'check-wheel-contents', code: current.code, message, level: 'warning' });
    current = null;
  };
  for (const raw of output.split('\n')) {
    const line = raw.trimEnd();
    const head = /: ([WE]\d{3}): (.*)$/.exec(line);
    if (head && !/^\s/.test(line)) {
      flush();
      current = { code: head[1], text: head[2], items: [] };
    } else if (current && /^\s+\S/.test(line)) current.items.push(line.trim());
    else flush();
  }
  flush();
  return withFailure('check-wheel-contents', findings, output, code);
}

interface Abi3Result {
  baseline?: string;
  non_abi3_symbols?: string[];
  future_abi3_objects?: Record<string, string>;
}

/**
 * abi3audit's `--report` JSON: per shared object, the symbols outside the stable ABI and those
 * that joined it only after the version the wheel is tagged for. Both are errors.
 */
export function parseAbi3auditReport(
  report: string | null,
  output: string,
  code: number
): InspectionFinding[] {
  const findings: InspectionFinding[] = [];
  let doc: { specs?: Record<string, { wheel?: { name: string; result?: Abi3Result }[] }> } = {};
  try {
    doc = report ? JSON.parse(report) : {};
  } catch {
    /* reported below as a failure when abi3audit also failed */
  }
  for (const spec of Object.values(doc.specs ?? {})) {
    for (const so of spec.wheel ?? []) {
      const r = so.result ?? {};
      for (const sym of [...(r.non_abi3_symbols ?? [])].sort())
        findings.push({
          tool: 'abi3audit',
          code: 'non-abi3-symbol',
          message: `${so.name} uses ${sym}, which is not in the stable ABI`,
          level: 'error'
        });
      for (const [sym, since] of Object.entries(r.future_abi3_objects ?? {}).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0
      ))
        findings.push({
          tool: 'abi3audit',
          code: 'abi3-version',
          message: `${so.name} uses ${sym}, in the stable ABI only from Python ${since}, but the wheel is tagged abi3 for Python ${r.baseline ?? '?'}`,
          level: 'error'
        });
    }
  }
  return withFailure('abi3audit', findings, output, code);
}

function withFailure(
  tool: InspectTool,
  findings: InspectionFinding[],
  output: string,
  code: number
): InspectionFinding[] {
  if (code === 0 || findings.length) return findings;
  // click's `Error: ...` line when there is one, else the last line (a traceback's exception).
  const last =
    output.split('\n').find((l) => l.startsWith('Error: ')) ??
    (tail(output, 1).trim() || 'no output');
  return [
    { tool, code: 'failed', message: `${tool} exited with code ${code}: ${last}`, level: 'error' }
  ];
}
