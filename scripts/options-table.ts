/**
 * Writes the README's option table from OPTION_DEFS (between the options markers).
 * `npm run docs` updates it; a unit test fails when the README is out of date.
 */
import { promises as fs } from 'node:fs';
import { renderOptionsTable, replaceOptionsTable } from '../src/config/docs.js';

const readme = await fs.readFile('README.md', 'utf8');
const next = replaceOptionsTable(readme, renderOptionsTable());
if (next !== readme) {
  await fs.writeFile('README.md', next);
  process.stdout.write('README.md: options table updated\n');
} else {
  process.stdout.write('README.md: options table up to date\n');
}
