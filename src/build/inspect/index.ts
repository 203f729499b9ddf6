import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../../config/options.js';
import { InspectionFinding } from '../../manifest/model.js';
import { execCapture } from '../../runtime/exec.js';
import { Logger, warnOnce } from '../../runtime/log.js';
import { PythonInstall } from '../../runtime/python.js';
import { StepError } from '../executor.js';
import { toolCommand } from './install.js';
import { parseAbi3auditReport, parseCheckWheelContents, parseTwineCheck } from './parse.js';
import {
  InspectTool,
  abi3auditArgv,
  checkWheelContentsArgv,
  toolsFor,
  twineArgv
} from './tools.js';

/** The findings that fail their artifact under the `fail-on-inspection` policy. */
export function failingFindings(
  findings: InspectionFinding[],
  policy: Options['failOnInspection']
): InspectionFinding[] {
  if (policy === 'never') return [];
  return policy === 'warning' ? findings : findings.filter((f) => f.level === 'error');
}

/** One line per finding, for logs and failure records. */
export function findingLine(f: InspectionFinding): string {
  return `${f.tool} ${f.code}: ${f.message.split('\n')[0]}`;
}

/** An artifact the inspection policy fails: the message names the first failing finding. */
export class InspectionFailed extends StepError {
  constructor(
    readonly findings: InspectionFinding[],
    failing: InspectionFinding[]
  ) {
    const f = failing[0];
    super(
      `inspection failed: ${findingLine(f)}${failing.length > 1 ? ` (and ${failing.length - 1} more)` : ''}`,
      findings.map((x) => `${x.level}: ${findingLine(x)}`).join('\n') + '\n'
    );
  }
}

export interface Inspector {
  /**
   * Runs the artifact's tools (concurrently) on `data` saved as `file`. Returns every finding,
   * warns about those that do not fail it, and throws InspectionFailed for those that do.
   */
  inspect(file: string, data: Buffer): Promise<InspectionFinding[]>;
}

/**
 * Resolves the tools (installing the pinned ones into cached tool environments) before the
 * first artifact needs them: twine and check-wheel-contents always, abi3audit when the project
 * builds abi3 wheels (else on first use). A tool that cannot be had is a ConfigError.
 */
export async function openInspector(a: {
  opts: Options;
  python: PythonInstall | undefined;
  /** Scratch directory for the files inspected and abi3audit's reports. */
  dir: string;
  /** The project's own directory: check-wheel-contents reads its configuration there. */
  projectDir: string;
  abi3: boolean;
  log: Logger;
}): Promise<Inspector> {
  const commands = new Map<InspectTool, Promise<string[]>>();
  const command = (tool: InspectTool): Promise<string[]> => {
    let c = commands.get(tool);
    if (!c) {
      c = toolCommand(tool, a.opts, a.python);
      commands.set(tool, c);
    }
    return c;
  };
  const eager: InspectTool[] = [
    'twine',
    'check-wheel-contents',
    ...(a.abi3 ? ['abi3audit' as const] : [])
  ];
  // All installs run at once; the first tool that failed (in this order) is the error.
  const settled = await Promise.allSettled(eager.map(command));
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  await fs.mkdir(a.dir, { recursive: true });
  // Rich-based tools wrap at the terminal width; wide lines keep one finding on one line.
  const env = { NO_COLOR: '1', COLUMNS: '1000' };
  const timeoutMs = 10 * 60_000;

  const run = async (tool: InspectTool, file: string): Promise<InspectionFinding[]> => {
    const cmd = await command(tool);
    switch (tool) {
      case 'twine': {
        const r = await execCapture(twineArgv(cmd, file), { cwd: a.dir, extraEnv: env, timeoutMs });
        return parseTwineCheck(r.output, r.code);
      }
      case 'check-wheel-contents': {
        const r = await execCapture(checkWheelContentsArgv(cmd, file), {
          cwd: a.projectDir,
          extraEnv: env,
          timeoutMs
        });
        return parseCheckWheelContents(r.output, r.code);
      }
      case 'abi3audit': {
        const report = `${file}.abi3audit.json`;
        await fs.rm(report, { force: true });
        const r = await execCapture(abi3auditArgv(cmd, file, report), {
          cwd: a.dir,
          extraEnv: env,
          timeoutMs
        });
        const json = await fs.readFile(report, 'utf8').catch(() => null);
        return parseAbi3auditReport(json, r.output, r.code);
      }
    }
  };

  return {
    inspect: async (file, data) => {
      const saved = path.join(a.dir, file);
      await fs.writeFile(saved, data);
      const perTool = await Promise.all(toolsFor(file).map((t) => run(t, saved)));
      const findings = perTool.flat();
      const failing = failingFindings(findings, a.opts.failOnInspection);
      // The same finding on every wheel is one line here; the artifact table lists them all.
      for (const f of findings.filter((x) => !failing.includes(x)))
        warnOnce(a.log, `inspection:${findingLine(f)}`, `${file}: ${findingLine(f)}`);
      if (failing.length) throw new InspectionFailed(findings, failing);
      return findings;
    }
  };
}
