import {
  isKemuError,
  StoreAlreadyExistsError,
  StoreConflictError,
  StoreGoneError,
  StoreInvalidError,
  StoreNotFoundError,
} from '@kemu/core';
import { InvalidObjectError, UnknownResourceError } from '../errors.js';

/** A metav1.Status, the body of every API error. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string };
  code: number;
}

/** Builds a failure Status. */
export function failure(code: number, reason: string, message: string, details?: Status['details']): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

/** What the request was about, for messages in upstream form (`pods "web" not found`). */
export interface StatusContext {
  resource?: string;
  group?: string;
  name?: string;
}

/**
 * Maps an error to the Status the API server would answer with (apimachinery/pkg/api/errors):
 * 404 NotFound, 409 AlreadyExists / Conflict, 410 Expired, 422 Invalid, 500 InternalError.
 */
export function statusOf(error: unknown, ctx: StatusContext = {}): Status {
  const qualified = ctx.group ? `${ctx.resource}.${ctx.group}` : (ctx.resource ?? '');
  const details = { name: ctx.name, group: ctx.group, kind: ctx.resource };
  if (error instanceof StoreNotFoundError) return failure(404, 'NotFound', `${qualified} "${ctx.name ?? ''}" not found`, details);
  if (error instanceof UnknownResourceError) return failure(404, 'NotFound', 'the server could not find the requested resource');
  if (error instanceof StoreAlreadyExistsError)
    return failure(409, 'AlreadyExists', `${qualified} "${ctx.name ?? ''}" already exists`, details);
  if (error instanceof StoreConflictError) {
    return failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified} "${ctx.name ?? ''}": the object has been modified; please apply your changes to the latest version and try again`,
      details,
    );
  }
  if (error instanceof StoreGoneError) return failure(410, 'Expired', error.message);
  if (error instanceof InvalidObjectError || error instanceof StoreInvalidError)
    return failure(422, 'Invalid', error.message, details);
  if (isKemuError(error) && error.userError) return failure(400, 'BadRequest', error.message);
  return failure(500, 'InternalError', `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`);
}
