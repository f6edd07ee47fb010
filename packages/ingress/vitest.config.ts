import { kemuProject } from '../../tooling/vitest.preset.js';

export default kemuProject('ingress');
