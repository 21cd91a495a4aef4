// One Jest run, five projects: unit (logic in isolation), integration (real PostgreSQL and
// NATS, the sandbox in-process), e2e (every service as its own process), fault (the fault
// suite: every service as its own process, killed, stalled and restarted; figures in
// test/fault/results.md) and browser (the console in Chromium). `npm test` runs unit and
// integration together, then e2e, fault and browser each on its own (`--runInBand`).
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  setupFiles: ['reflect-metadata'],
};

module.exports = {
  // Generous: integration and e2e tests poll for outcomes across processes; unit tests finish in ms.
  testTimeout: 120000,
  projects: [
    // The fixture folder is made and run by tools/unhandled-rejection.spec.ts on purpose (it fails).
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'], testPathIgnorePatterns: ['/node_modules/', 'unhandled-rejection-fixture-'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
    {
      ...base,
      displayName: 'fault',
      testMatch: ['<rootDir>/test/fault/*.fault-spec.ts'],
      // The figures of every case, collected across test files, printed and written as a table at the end.
      globalSetup: '<rootDir>/test/fault/figures-setup.ts',
      globalTeardown: '<rootDir>/test/fault/figures-teardown.ts',
    },
    // The console in Debian's Chromium (playwright-core), over every service as its own process.
    { ...base, displayName: 'browser', testMatch: ['<rootDir>/test/browser/*.browser-spec.ts'] },
  ],
};
