import { describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import { renderOptionsTable, replaceOptionsTable } from '../../src/config/docs.js';
import { OPTION_DEFS } from '../../src/config/definitions.js';

describe('README option table', () => {
  it('is generated from the option definitions and up to date (npm run docs)', async () => {
    const readme = await fs.readFile('README.md', 'utf8');
    expect(replaceOptionsTable(readme, renderOptionsTable())).toBe(readme);
    for (const d of OPTION_DEFS) expect(readme).toContain(`| \`${d.name}\` |`);
  });
});
