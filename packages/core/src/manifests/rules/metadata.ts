import { InvalidSelectorError } from '../../errors/catalogue.js';
import type { LabelSelector } from '../../objects/meta.js';
import { labelSelector } from '../../selectors/label-selector.js';
import {
  checkDNS1035Label,
  checkDNS1123Label,
  checkDNS1123Subdomain,
  checkLabelValue,
  checkQualifiedName,
} from '../../validation/names.js';
import type { FieldPath } from '../path.js';
import { isObject, type Json, type Report, reportAll } from './report.js';

// Which name rule each kind uses (ValidateObjectMeta with the kind's name validator).
const labelNamedKinds = new Set(['Namespace']);
const dns1035NamedKinds = new Set(['Service']);

/** metadata: name (per kind), namespace, label keys and values, annotation keys. */
export function validateMetadata(object: Json, report: Report): void {
  const metadata = isObject(object.metadata) ? object.metadata : {};
  const kind = String(object.kind);
  const name = metadata.name;
  if (typeof name !== 'string' || name === '') {
    if (typeof metadata.generateName !== 'string' || metadata.generateName === '') {
      report(['metadata', 'name'], 'Required value: name or generateName is required');
    }
  } else {
    const messages = labelNamedKinds.has(kind)
      ? checkDNS1123Label(name)
      : dns1035NamedKinds.has(kind)
        ? checkDNS1035Label(name)
        : checkDNS1123Subdomain(name);
    reportAll(report, ['metadata', 'name'], name, messages);
  }
  if (typeof metadata.namespace === 'string' && metadata.namespace !== '') {
    reportAll(report, ['metadata', 'namespace'], metadata.namespace, checkDNS1123Label(metadata.namespace));
  }
  if (isObject(metadata.labels)) {
    for (const [key, value] of Object.entries(metadata.labels)) {
      reportAll(report, ['metadata', 'labels', key], key, checkQualifiedName(key));
      if (typeof value === 'string') reportAll(report, ['metadata', 'labels', key], value, checkLabelValue(value));
    }
  }
  if (isObject(metadata.annotations)) {
    for (const key of Object.keys(metadata.annotations)) {
      reportAll(report, ['metadata', 'annotations', key], key, checkQualifiedName(key.toLowerCase()));
    }
  }
}

/** A structured label selector: operators, keys and values as LabelSelectorAsSelector checks them. */
export function validateLabelSelector(selector: unknown, path: FieldPath, report: Report): void {
  if (!isObject(selector)) return;
  try {
    labelSelector(selector as LabelSelector);
  } catch (error) {
    if (error instanceof InvalidSelectorError)
      report(path, error.message.replace(/^invalid label selector "[\s\S]*?": /, 'Invalid value: '));
    else throw error;
  }
}
