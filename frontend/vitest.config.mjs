import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  esbuild: { jsx: 'automatic', loader: 'jsx', include: /\.(jsx?|tsx?)$/, exclude: [] },
  resolve: {
    alias: [
      // frontend-platform imports the MFE's 'env.config'; the tests configure it with mergeConfig.
      { find: /^env\.config$/, replacement: here('./test/env.config.js') },
      // frontend-plugin-framework's CommonJS build would load a second frontend-platform through
      // Node: its ES sources go through the same pipeline as the widgets (as in an MFE's webpack).
      { find: /^@openedx\/frontend-plugin-framework$/, replacement: here('./node_modules/@openedx/frontend-plugin-framework/src/index.js') },
    ],
  },
  test: {
    environment: 'jsdom',
    environmentOptions: { jsdom: { url: 'http://apps.lms.test/catalog/' } },
    setupFiles: ['./test/setup.js'],
    include: ['test/**/*.test.{js,jsx}'],
    globals: true,
    testTimeout: 20000,
    // Known noise of the platform packages under jsdom (locale lists, Paragon's refs, act()).
    onConsoleLog: (log) => !/Missing locale|Unexpected locale|forwardRef|not wrapped in act|does not recognize the/.test(log),
    server: { deps: { inline: [/@openedx\//, /@edx\//] } },
  },
});
