import { fileURLToPath } from 'node:url';
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/** Repository root, so aliases resolve the same from every package. */
const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * `@kemu/<pkg>` resolves to `packages/<pkg>/src/index.ts` and `@kemu/<pkg>/<sub>` to
 * `packages/<pkg>/src/<sub>/index.ts`, so tests run against sources and never wait for a build.
 */
export const sourceAliases = [
  { find: /^kemu\/testing$/, replacement: `${root}apps/lab/src/testing/index.ts` },
  { find: /^@kemu\/([a-z-]+)\/([a-z-]+)$/, replacement: `${root}packages/$1/src/$2/index.ts` },
  { find: /^@kemu\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
];

/** The shared vitest project settings; each package's vitest.config.ts is one call to this. */
export function kemuProject(name: string, overrides: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { alias: sourceAliases },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts', '*.test.ts'],
      testTimeout: 20_000,
      hookTimeout: 30_000,
      ...overrides,
    },
  });
}
