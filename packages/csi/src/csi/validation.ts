import { rpcError } from '../errors.js';

// Request strings that name things on disk must never escape the driver's state dir, and every
// string obeys the spec's size limits ("Size Limits": 128 bytes for strings, node_id 256).

/** CSI spec size limit for strings, in bytes. */
export const maxStringBytes = 128;
/** CSI spec size limit for node_id, in bytes. */
export const maxNodeIdBytes = 256;
/** Longest path accepted (Linux PATH_MAX; the spec asks for at least 128). */
export const maxPathBytes = 4096;

/** Control characters a CSI name must not contain (spec CreateVolumeRequest.name). */
const forbiddenNameChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** A REQUIRED string: empty (proto3's "absent") is INVALID_ARGUMENT. */
export function requireString(value: string | undefined | null, field: string): string {
  if (value === undefined || value === null || value === '') throw rpcError.invalidArgument(`${field} is required`);
  return value;
}

/**
 * A CO-chosen name (volume or snapshot name): required, at most 128 bytes, none of the control
 * characters the spec forbids, and no path-like form (`/`, `\`, `..`) — kemu never uses names as
 * paths, but rejecting them keeps every name printable and unambiguous.
 */
export function checkName(value: string | undefined, field: string): string {
  const name = requireString(value, field);
  if (byteLength(name) > maxStringBytes) throw rpcError.invalidArgument(`${field} is longer than ${maxStringBytes} bytes`);
  if (forbiddenNameChars.test(name)) throw rpcError.invalidArgument(`${field} contains a control character`);
  if (/[/\\]/.test(name) || name === '.' || name === '..') throw rpcError.invalidArgument(`${field} "${name}" looks like a path`);
  return name;
}

/**
 * An identifier kemu turns into a file name (volume_id, snapshot_id): one path segment, no `..`,
 * no NUL or control characters, at most `maxBytes` bytes. Anything else is INVALID_ARGUMENT before
 * the driver looks anything up.
 */
export function checkId(value: string | undefined, field: string, maxBytes = maxStringBytes): string {
  const id = requireString(value, field);
  if (byteLength(id) > maxBytes) throw rpcError.invalidArgument(`${field} is longer than ${maxBytes} bytes`);
  if (forbiddenNameChars.test(id) || id.includes('\u0000'))
    throw rpcError.invalidArgument(`${field} contains a control character`);
  if (/[/\\]/.test(id) || id === '.' || id === '..' || id.includes('..')) {
    throw rpcError.invalidArgument(`${field} "${id}" must be a single name without "/" or ".."`);
  }
  return id;
}

/** A node id: like an id but up to 256 bytes (spec NodeGetInfoResponse.node_id). */
export function checkNodeId(value: string | undefined, field = 'node_id'): string {
  return checkId(value, field, maxNodeIdBytes);
}

/**
 * A path from the CO (target_path, staging_target_path, volume_path): absolute (the spec says so
 * for all three), no NUL, no `.` or `..` segment, at most PATH_MAX bytes.
 */
export function checkPath(value: string | undefined, field: string): string {
  const path = requireString(value, field);
  if (path.includes('\u0000')) throw rpcError.invalidArgument(`${field} contains NUL`);
  if (byteLength(path) > maxPathBytes) throw rpcError.invalidArgument(`${field} is longer than ${maxPathBytes} bytes`);
  if (!path.startsWith('/')) throw rpcError.invalidArgument(`${field} "${path}" must be an absolute path`);
  if (path.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw rpcError.invalidArgument(`${field} "${path}" must not contain "." or ".." segments`);
  }
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** A string map within the spec's 4 KiB limit. */
export function checkMap(value: Record<string, string> | undefined, field: string): Record<string, string> {
  const map = value ?? {};
  let bytes = 0;
  for (const [k, v] of Object.entries(map)) bytes += byteLength(k) + byteLength(v);
  if (bytes > 4096) throw rpcError.invalidArgument(`${field} is larger than 4 KiB`);
  return { ...map };
}
