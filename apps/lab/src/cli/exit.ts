/** Exit codes of every kemu command: 0 ok, 1 the user's input is wrong, 2 kemu or the environment failed. */
export const exitCodes = {
  ok: 0,
  userError: 1,
  internalError: 2,
  /** `kemu policy check`: the traffic is denied. */
  denied: 3,
  /** `kemu migrate check`: the two configurations route differently. */
  different: 4,
} as const;

/** Ends a command with a given exit code after printing `message` (if any) to stderr. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message = '',
  ) {
    super(message);
    this.name = 'CliExit';
  }
}
