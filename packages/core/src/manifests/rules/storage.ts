import { isQuantity } from '../../quantity/quantity.js';
import { isObject, type Json, list, type Report } from './report.js';

// PersistentVolume(Claim) and StorageClass rules from pkg/apis/core/validation and storage/validation.

/** PersistentVolumeClaim: access modes and a storage request. */
export function validatePersistentVolumeClaim(object: Json, report: Report): void {
  const spec = isObject(object.spec) ? object.spec : {};
  if (list(spec.accessModes).length === 0) report(['spec', 'accessModes'], 'Required value: at least 1 access mode is required');
  if (list(spec.accessModes).includes('ReadWriteOncePod') && list(spec.accessModes).length > 1) {
    report(['spec', 'accessModes'], 'Forbidden: may not use ReadWriteOncePod with other access modes');
  }
  const storage = isObject(spec.resources) && isObject(spec.resources.requests) ? spec.resources.requests.storage : undefined;
  if (storage === undefined) report(['spec', 'resources', 'requests', 'storage'], 'Required value');
  else if (typeof storage === 'string' && !isQuantity(storage)) {
    report(
      ['spec', 'resources', 'requests', 'storage'],
      `Invalid value: "${storage}": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
  }
}

/** PersistentVolume: capacity, access modes, exactly one volume source. */
export function validatePersistentVolume(object: Json, report: Report): void {
  const spec = isObject(object.spec) ? object.spec : {};
  if (list(spec.accessModes).length === 0) report(['spec', 'accessModes'], 'Required value: at least 1 access mode is required');
  const storage = isObject(spec.capacity) ? spec.capacity.storage : undefined;
  if (storage === undefined) report(['spec', 'capacity'], 'Required value: must specify storage capacity');
  else if (typeof storage === 'string' && !isQuantity(storage))
    report(['spec', 'capacity', 'storage'], `Invalid value: "${storage}": not a quantity`);
  const sources = ['csi', 'hostPath', 'local', 'nfs'].filter((s) => spec[s] !== undefined);
  if (sources.length === 0) report(['spec'], 'Required value: must specify a volume type');
  if (sources.length > 1) report(['spec', sources[1]!], 'Forbidden: may not specify more than 1 volume type');
}
