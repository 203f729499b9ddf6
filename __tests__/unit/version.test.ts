import { expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { TOOL_VERSION } from '../../src/version.js';

it('TOOL_VERSION matches package.json', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  expect(TOOL_VERSION).toBe(pkg.version);
});
