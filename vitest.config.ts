import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests import Wharf by its package name, as users do; tsconfig.json's `paths` point that name at
  // `src/`, so the tests (like tsx and the type-checker) need no build.
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/spec-setup.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
