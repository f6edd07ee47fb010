/** Brand shared by every kemu error, so `isKemuError` works across two installed copies (as undici does). */
const kemuErrorBrand = Symbol.for('kemu.error');

/** Base class of every error kemu throws on purpose: a stable `code` and a message a person can act on. */
export class KemuError extends Error {
  /** Stable, documented code; a retired code is never reused. */
  readonly code: string;
  /** Whether the caller's input caused it (CLI exit 1) rather than kemu or the environment (exit 2). */
  readonly userError: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; userError?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.userError = options.userError ?? true;
    Object.defineProperty(this, kemuErrorBrand, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class on the right of instanceof: subclasses keep the ordinary prototype check.
    // biome-ignore lint/complexity/noThisInStatic: the receiver is exactly what must be compared
    if (this !== KemuError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isKemuError(value);
  }
}

/** True for any kemu error, even one thrown by another installed copy of a kemu package. */
export function isKemuError(value: unknown): value is KemuError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kemuErrorBrand] === true;
}
