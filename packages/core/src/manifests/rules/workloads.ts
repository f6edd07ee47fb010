import type { LabelSelector } from '../../objects/meta.js';
import { labelSelector } from '../../selectors/label-selector.js';
import { checkDNS1123Label, checkPortName, checkPortNumber } from '../../validation/names.js';
import type { FieldPath } from '../path.js';
import { validateLabelSelector } from './metadata.js';
import { isObject, type Json, list, type Report, reportAll } from './report.js';

// Pod and workload rules from pkg/apis/core/validation and pkg/apis/apps/validation.

function validateContainers(containers: unknown, path: FieldPath, volumeNames: Set<string>, report: Report): void {
  const names = new Set<string>();
  list(containers).forEach((container, i) => {
    if (!isObject(container)) return;
    const at = [...path, i];
    if (typeof container.name === 'string') {
      reportAll(report, [...at, 'name'], container.name, checkDNS1123Label(container.name));
      if (names.has(container.name)) report([...at, 'name'], `Duplicate value: "${container.name}"`);
      names.add(container.name);
    }
    const portNames = new Set<string>();
    list(container.ports).forEach((port, j) => {
      if (!isObject(port)) return;
      if (typeof port.containerPort === 'number') {
        reportAll(report, [...at, 'ports', j, 'containerPort'], port.containerPort, checkPortNumber(port.containerPort));
      }
      if (typeof port.name === 'string' && port.name !== '') {
        reportAll(report, [...at, 'ports', j, 'name'], port.name, checkPortName(port.name));
        if (portNames.has(port.name)) report([...at, 'ports', j, 'name'], `Duplicate value: "${port.name}"`);
        portNames.add(port.name);
      }
    });
    list(container.volumeMounts).forEach((mount, j) => {
      if (isObject(mount) && typeof mount.name === 'string' && !volumeNames.has(mount.name)) {
        report([...at, 'volumeMounts', j, 'name'], `Not found: "${mount.name}"`);
      }
    });
  });
}

/** A PodSpec at `path`. */
export function validatePodSpec(
  spec: unknown,
  path: FieldPath,
  report: Report,
  claimTemplateNames: readonly string[] = [],
): void {
  if (!isObject(spec)) return;
  // A StatefulSet's volumeClaimTemplates are volumes of its pods too.
  const volumeNames = new Set<string>(claimTemplateNames);
  list(spec.volumes).forEach((volume, i) => {
    if (!isObject(volume) || typeof volume.name !== 'string') return;
    reportAll(report, [...path, 'volumes', i, 'name'], volume.name, checkDNS1123Label(volume.name));
    if (volumeNames.has(volume.name)) report([...path, 'volumes', i, 'name'], `Duplicate value: "${volume.name}"`);
    volumeNames.add(volume.name);
  });
  if (Array.isArray(spec.containers) && spec.containers.length === 0) report([...path, 'containers'], 'Required value');
  validateContainers(spec.containers, [...path, 'containers'], volumeNames, report);
  validateContainers(spec.initContainers, [...path, 'initContainers'], volumeNames, report);
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0) {
    report([...path, 'terminationGracePeriodSeconds'], 'Invalid value: must be greater than or equal to 0');
  }
}

/** Deployment, ReplicaSet, StatefulSet: replicas, selector, and that the selector selects the template. */
export function validateWorkload(object: Json, report: Report): void {
  const spec = isObject(object.spec) ? object.spec : {};
  if (typeof spec.replicas === 'number' && spec.replicas < 0)
    report(['spec', 'replicas'], 'Invalid value: must be greater than or equal to 0');
  validateLabelSelector(spec.selector, ['spec', 'selector'], report);
  const template = isObject(spec.template) ? spec.template : undefined;
  if (isObject(spec.selector)) {
    const selectorObject = spec.selector as LabelSelector;
    const empty =
      Object.keys(selectorObject.matchLabels ?? {}).length === 0 && (selectorObject.matchExpressions ?? []).length === 0;
    if (empty) report(['spec', 'selector'], 'Invalid value: empty selector is invalid for deployment');
    else if (template) {
      const labels =
        isObject(template.metadata) && isObject(template.metadata.labels)
          ? (template.metadata.labels as Record<string, string>)
          : {};
      try {
        if (!labelSelector(selectorObject).matches(labels)) {
          report(
            ['spec', 'template', 'metadata', 'labels'],
            `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
          );
        }
      } catch {
        // Reported by validateLabelSelector.
      }
    }
  }
  const claimTemplateNames = list(spec.volumeClaimTemplates)
    .map((claim) => (isObject(claim) && isObject(claim.metadata) ? claim.metadata.name : undefined))
    .filter((name): name is string => typeof name === 'string');
  if (template) validatePodSpec(template.spec, ['spec', 'template', 'spec'], report, claimTemplateNames);
  if (object.kind === 'Deployment' && isObject(spec.strategy) && isObject(spec.strategy.rollingUpdate)) {
    const rolling = spec.strategy.rollingUpdate;
    const isZero = (v: unknown) => v === 0 || v === '0%' || v === '0';
    if (isZero(rolling.maxSurge) && isZero(rolling.maxUnavailable)) {
      report(['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'], 'Invalid value: 0: may not be 0 when `maxSurge` is 0');
    }
    for (const field of ['maxSurge', 'maxUnavailable']) {
      const value = rolling[field];
      if (typeof value === 'string' && !/^\d+%$/.test(value)) {
        report(
          ['spec', 'strategy', 'rollingUpdate', field],
          `Invalid value: "${value}": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%')`,
        );
      }
    }
  }
}
