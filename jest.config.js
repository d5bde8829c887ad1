/** One jest run for the whole monorepo: unit (*.spec.ts), integration (*.int-spec.ts, real
 * PostgreSQL/Redis/Kafka) and end-to-end (*.e2e-spec.ts, real processes) tests. */
const path = require('node:path');

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{packages,services,tools}/**/*.{spec,int-spec,e2e-spec}.ts', '<rootDir>/test/**/*.{spec,int-spec,e2e-spec}.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    // isolatedModules: transpile only; `tsc -b` (run first by `npm test`) does the type checking.
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.jest.json') }],
  },
  moduleNameMapper: {
    '^@shop/shared$': '<rootDir>/packages/shared/src/index.ts',
    '^@shop/shared/(.*)$': '<rootDir>/packages/shared/src/$1/index.ts',
  },
  globalSetup: '<rootDir>/tools/ops/jest-global-setup.js',
  testTimeout: 60000,
  // One file at a time: the e2e outage test freezes the one shared broker (SIGSTOP), and the global
  // setup owns the test databases. On 2 cores this is jest's default anyway.
  maxWorkers: 1,
};
