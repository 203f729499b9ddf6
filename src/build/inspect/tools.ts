import { InspectionFinding } from '../../manifest/model.js';
import { parseWheelName } from '../../runtime/wheelname.js';

export type InspectTool = InspectionFinding['tool'];

/**
 * The pinned releases Albatross runs; parse.ts reads the output formats of these versions.
 * Each tool's option (named like the tool) points at a local executable instead.
 */
export const INSPECT_TOOLS: Record<InspectTool, { version: string; module: string }> = {
  twine: { version: '7.0.0', module: 'twine' },
  'check-wheel-contents': { version: '0.6.3', module: 'check_wheel_contents' },
  abi3audit: { version: '0.0.26', module: 'abi3audit' }
};

/** Every tool's `name==version`, for installing them (and for wheelhouses of them). */
export function pinnedRequirements(): string[] {
  return Object.entries(INSPECT_TOOLS).map(([name, t]) => `${name}==${t.version}`);
}

/** The tools an artifact gets: twine for all, check-wheel-contents for wheels, abi3audit for abi3 wheels. */
export function toolsFor(file: string): InspectTool[] {
  const wheel = parseWheelName(file);
  if (!wheel) return ['twine'];
  return [
    'twine',
    'check-wheel-contents',
    ...(wheel.abiTags.includes('abi3') ? ['abi3audit' as const] : [])
  ];
}

/** `twine check --strict`, without colour (its findings are parsed). */
export function twineArgv(cmd: string[], file: string): string[] {
  return [...cmd, '--no-color', 'check', '--strict', file];
}

/** check-wheel-contents reads its own configuration from the directory it runs in. */
export function checkWheelContentsArgv(cmd: string[], file: string): string[] {
  return [...cmd, file];
}

/** As cibuildwheel runs it: `--strict` (a failed audit step fails), a JSON report to `report`. */
export function abi3auditArgv(cmd: string[], file: string, report: string): string[] {
  return [...cmd, '--strict', '--report', '--output', report, file];
}
