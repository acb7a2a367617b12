import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

// The app compiles Wharf from the repository's sources and uses the repository's node_modules, so
// tracing (and Turbopack, should it be used) must start at the repository root, not at this folder.
const root = fileURLToPath(new URL('../../..', import.meta.url));
// Our own TypeScript: Wharf's sources and the shopping-list example this app wraps.
const ownSources = [
  fileURLToPath(new URL('../../../src/', import.meta.url)),
  fileURLToPath(new URL('../', import.meta.url)),
];

const config: NextConfig = {
  outputFileTracingRoot: root,
  turbopack: { root },
  /**
   * Wharf's sources are NodeNext ESM: `import ... from './app.js'` names the file `app.ts`. Webpack
   * maps `.js` to `.ts` with `resolve.extensionAlias`; set on a rule, it applies only to imports
   * made by our own sources, never inside node_modules. Turbopack (Next 16's default) has no such
   * option yet, hence `next build --webpack`.
   */
  webpack(webpackConfig: { module: { rules: unknown[] } }) {
    webpackConfig.module.rules.push({
      test: /\.tsx?$/,
      include: ownSources,
      resolve: { extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
    });
    return webpackConfig;
  },
};

export default config;
