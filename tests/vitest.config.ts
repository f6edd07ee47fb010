import { kemuProject } from '../tooling/vitest.preset.js';

export default kemuProject('e2e', { include: ['**/*.test.ts'], exclude: ['**/node_modules/**'] });
