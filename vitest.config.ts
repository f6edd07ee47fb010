import { defineConfig } from 'vitest/config';

// One run, one summary: every package, the app and the cross-package tests are projects.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tests'],
  },
});
