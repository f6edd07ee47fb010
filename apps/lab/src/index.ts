// The `kemu` package: the CLI and (later) the lab runtime.

export { CliExit, exitCodes } from './cli/exit.js';
export { buildProgram, main } from './cli.js';
export { versionInfo } from './version.js';
