// The `kemu` package: the CLI and (later) the lab runtime.
export { buildProgram, main } from './cli.js';
export { exitCodes, CliExit } from './cli/exit.js';
export { versionInfo } from './version.js';
