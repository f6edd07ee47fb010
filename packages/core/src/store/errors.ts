import { KemuError } from '../errors/kemu-error.js';

/** The object does not exist (API server 404 NotFound). */
export class StoreNotFoundError extends KemuError {
  constructor(readonly key: string) {
    super('KEMU_STORE_NOT_FOUND', `${key} not found`);
  }
}

/** An object of that kind, namespace and name exists (409 AlreadyExists). */
export class StoreAlreadyExistsError extends KemuError {
  constructor(readonly key: string) {
    super('KEMU_STORE_ALREADY_EXISTS', `${key} already exists`);
  }
}

/**
 * A write carried a stale resourceVersion (409 Conflict). Read the object again, re-apply the
 * change and retry, as every Kubernetes controller does.
 */
export class StoreConflictError extends KemuError {
  constructor(
    readonly key: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'KEMU_STORE_CONFLICT',
      `Operation cannot be fulfilled on ${key}: the object has been modified (resourceVersion ${expected} is stale, current is ${actual}); please apply your changes to the latest version and try again`,
    );
  }
}

/** A watch asked for history that was compacted (410 Gone). List again and watch from the list's resourceVersion. */
export class StoreGoneError extends KemuError {
  constructor(
    readonly requested: string,
    readonly oldest: string,
  ) {
    super(
      'KEMU_STORE_GONE',
      `too old resource version: ${requested} (oldest retained is ${oldest}); list again and watch from the list's resourceVersion`,
    );
  }
}

/** The object cannot be stored as given. */
export class StoreInvalidError extends KemuError {
  constructor(message: string) {
    super('KEMU_STORE_INVALID', message);
  }
}

/** The backend cannot be reached; says which URL and why. */
export class StoreUnavailableError extends KemuError {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('KEMU_STORE_UNAVAILABLE', `store ${url} is unavailable: ${reason}`, { cause, userError: false });
  }
}

/** The store or watch was used after close(). */
export class StoreClosedError extends KemuError {
  constructor(what: string) {
    super('KEMU_STORE_CLOSED', `${what} is closed`, { userError: false });
  }
}
