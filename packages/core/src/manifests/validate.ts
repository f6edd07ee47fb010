import { kindShapes, metadataShape } from './kind-shapes.js';
import { validateGateway, validateHTTPRoute } from './rules/gateway.js';
import { validateMetadata } from './rules/metadata.js';
import { validateIngress, validateNetworkPolicy } from './rules/networking.js';
import type { Json, Report } from './rules/report.js';
import { validateEndpointSlice, validateService } from './rules/services.js';
import { validatePersistentVolume, validatePersistentVolumeClaim } from './rules/storage.js';
import { validatePodSpec, validateWorkload } from './rules/workloads.js';
import { checkShape } from './shape.js';

const rulesByKind: Record<string, (object: Json, report: Report) => void> = {
  Pod: (object, report) => validatePodSpec(object.spec, ['spec'], report),
  Deployment: validateWorkload,
  ReplicaSet: validateWorkload,
  StatefulSet: validateWorkload,
  Service: validateService,
  EndpointSlice: validateEndpointSlice,
  Ingress: validateIngress,
  NetworkPolicy: validateNetworkPolicy,
  Gateway: validateGateway,
  HTTPRoute: validateHTTPRoute,
  PersistentVolumeClaim: validatePersistentVolumeClaim,
  PersistentVolume: validatePersistentVolume,
};

/**
 * Checks one object of a known kind: field types first; value rules only when the types are
 * right (so one mistake is reported once, not as a cascade).
 */
export function validateObject(object: Json, report: Report): void {
  let typeErrors = 0;
  const countingReport: Report = (path, message) => {
    typeErrors++;
    report(path, message);
  };
  checkShape(object.metadata, metadataShape, ['metadata'], countingReport);
  const shape = kindShapes[String(object.kind)];
  if (shape) checkShape(object, shape, [], countingReport);
  validateMetadata(object, report);
  if (typeErrors === 0) rulesByKind[String(object.kind)]?.(object, report);
}
