// Tests are TypeScript compiled by `tsc -b` (see package.json); jest runs the emitted ES modules, so what is
// tested is exactly what `hvcc` runs. HVCC_DIST names another output folder (for parallel work on one tree).
const dist = process.env.HVCC_DIST ?? 'dist';

export default {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: {},
      testMatch: [`<rootDir>/${dist}/test/unit/**/*.test.js`],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform: {},
      testMatch: [`<rootDir>/${dist}/test/e2e/**/*.test.js`],
    },
  ],
  // QEMU boots and LLVM builds share two cores.
  maxWorkers: 2,
  testTimeout: 120000,
};
