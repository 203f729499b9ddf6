import { InspectionFinding } from '../manifest/model.js';
import { plural } from './format.js';

/**
 * What the artifact tables say about twine check, check-wheel-contents and abi3audit: a short
 * status per artifact, and every finding listed under the table.
 */

/** `clean`, `2 warnings`, `1 error, 1 warning`; null when the artifact was not inspected. */
export function inspectionStatus(a: { inspection?: InspectionFinding[] }): string | null {
  if (!a.inspection) return null;
  const errors = a.inspection.filter((f) => f.level === 'error').length;
  const warnings = a.inspection.length - errors;
  if (!errors && !warnings) return 'clean';
  return [errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : '']
    .filter(Boolean)
    .join(', ');
}

/** Every finding of the artifacts listed, in artifact order. */
export function inspectionFindings(
  artifacts: { file: string; inspection?: InspectionFinding[] }[]
): (InspectionFinding & { file: string })[] {
  return artifacts.flatMap((a) => (a.inspection ?? []).map((f) => ({ ...f, file: a.file })));
}
