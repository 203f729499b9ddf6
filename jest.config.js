/** Jest runs the TypeScript sources directly (ts-jest, ESM). Integration tests run real
 * Pythons, pip, and a container engine, hence the long default timeout. */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }
    ]
  },
  testTimeout: 600000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/__tests__/helpers/skip-reporter.cjs']
};
