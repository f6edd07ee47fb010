import type { FieldPath } from '../path.js';

/** Reports one problem at a field path of the object being validated. */
export type Report = (path: FieldPath, message: string) => void;

/** Plain JSON object being validated. */
export type Json = Record<string, unknown>;

/** True for a non-null, non-array object. */
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The array at `v`, or empty. */
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Each upstream message for one field, reported at `path` with the value named. */
export function reportAll(report: Report, path: FieldPath, value: unknown, messages: string[]): void {
  for (const message of messages) report(path, `Invalid value: ${JSON.stringify(value)}: ${message}`);
}
