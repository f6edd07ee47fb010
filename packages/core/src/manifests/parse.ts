import { type Document, LineCounter, isNode, parseAllDocuments } from 'yaml';
import { knownKinds } from '../objects/kinds.js';
import type { KubernetesObject } from '../objects/meta.js';
import { applyDefaults } from './defaults.js';
import type { ManifestIssue } from './issue.js';
import { type FieldPath, formatPath } from './path.js';
import { validateObject } from './validate.js';

/** Where an object came from, for messages that point back at it. */
export interface ManifestSource {
  file: string;
  document: number;
  line: number;
  column: number;
}

/** The result of reading manifests: the good objects and every problem, never a throw. */
export interface ManifestLoadResult {
  objects: KubernetesObject[];
  issues: ManifestIssue[];
  /** Where each returned object was defined (same order as `objects`). */
  sources: ManifestSource[];
}

/** Options for {@link parseManifests}. */
export interface ParseManifestOptions {
  /** File name for messages; default `<inline>`. */
  file?: string;
  /** Namespace for namespaced objects that give none (kubectl's `-n`); default `default`. */
  namespace?: string;
  /** Skip the API server's defaults (for round-trip tooling); default false. */
  skipDefaults?: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** 1-based line/column of the node at `path` in `doc`, or of its nearest existing parent. */
function locate(doc: Document, lineCounter: LineCounter, path: FieldPath): { line: number; column: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/**
 * Parses multi-document YAML (or JSON) the way `kubectl apply -f` reads a file: empty documents
 * skipped, `List` kinds unwrapped, defaults applied, every object validated. Every problem in the
 * text is returned at once with its file, document, line, column, object and field path.
 * @example parseManifests(yamlText, { file: 'shop.yaml' }).objects
 */
export function parseManifests(text: string, options: ParseManifestOptions = {}): ManifestLoadResult {
  const file = options.file ?? '<inline>';
  const lineCounter = new LineCounter();
  const result: ManifestLoadResult = { objects: [], issues: [], sources: [] };
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const docs = Array.isArray(documents) ? documents : [];
  docs.forEach((doc, index) => {
    const issue = (path: FieldPath, message: string, object?: string, at?: { line: number; column: number }) => {
      const where = at ?? locate(doc, lineCounter, path);
      result.issues.push({ file, document: index, ...where, object, path: formatPath(path), message, severity: 'error' });
    };
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const pos = lineCounter.linePos(error.pos[0]);
        issue([], `invalid YAML: ${error.message.split('\n')[0]}`, undefined, { line: pos.line, column: pos.col });
      }
      return;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return; // an empty document, as between two '---'
    if (!isObject(value)) {
      issue([], `expected a Kubernetes object (a mapping with apiVersion and kind), got ${Array.isArray(value) ? 'a list' : typeof value}`);
      return;
    }
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      value.items.forEach((item, i) => readObject(item, ['items', i]));
    } else {
      readObject(value, []);
    }

    function readObject(raw: unknown, base: FieldPath): void {
      if (!isObject(raw)) {
        issue(base, 'expected a Kubernetes object (a mapping with apiVersion and kind)');
        return;
      }
      const metadata = isObject(raw.metadata) ? raw.metadata : undefined;
      const kind = raw.kind;
      const name = typeof metadata?.name === 'string' ? metadata.name : '';
      const namespaceText = typeof metadata?.namespace === 'string' ? metadata.namespace : undefined;
      if (typeof kind !== 'string' || kind === '') {
        issue([...base, 'kind'], "Required value: kind is missing; every object needs 'apiVersion' and 'kind'");
        return;
      }
      const info = knownKinds.get(kind);
      const label = `${kind}/${namespaceText ? `${namespaceText}/` : ''}${name}`;
      if (!info) {
        issue([...base, 'kind'], `unknown kind "${kind}" (apiVersion ${String(raw.apiVersion)}); kemu reads: ${[...knownKinds.keys()].join(', ')}`, label);
        return;
      }
      if (typeof raw.apiVersion !== 'string' || raw.apiVersion === '') {
        issue([...base, 'apiVersion'], `Required value: apiVersion is missing (expected ${info.apiVersions[0]})`, label);
        return;
      }
      if (!info.apiVersions.includes(raw.apiVersion)) {
        issue([...base, 'apiVersion'], `no kind "${kind}" in version "${raw.apiVersion}"; expected ${info.apiVersions.join(' or ')}`, label);
        return;
      }
      if (!metadata) {
        issue([...base, 'metadata'], 'Required value: metadata with a name is required', label);
        return;
      }
      if (!options.skipDefaults) applyDefaults(raw, options.namespace);
      else if (info.namespaced && !metadata.namespace) metadata.namespace = options.namespace ?? 'default';
      const ref = `${kind}/${info.namespaced ? `${String(metadata.namespace)}/` : ''}${name}`;
      let errors = 0;
      validateObject(raw, (path, message) => {
        errors++;
        issue([...base, ...path], message, ref);
      });
      if (errors > 0) return;
      const at = locate(doc, lineCounter, base);
      result.objects.push(raw as unknown as KubernetesObject);
      result.sources.push({ file, document: index, ...at });
    }
  });
  return result;
}

/**
 * Reports objects defined twice (same kind, namespace and name) across several load results,
 * as `kubectl apply` would apply the second over the first; kemu refuses instead.
 */
export function findDuplicates(result: ManifestLoadResult): ManifestIssue[] {
  const seen = new Map<string, ManifestSource>();
  const issues: ManifestIssue[] = [];
  const keep: number[] = [];
  result.objects.forEach((object, i) => {
    const key = `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    const source = result.sources[i]!;
    const first = seen.get(key);
    if (first) {
      issues.push({
        ...source,
        object: `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`,
        path: 'metadata.name',
        message: `Duplicate value: this object is already defined at ${first.file}:${first.line}:${first.column}`,
        severity: 'error',
      });
    } else {
      seen.set(key, source);
      keep.push(i);
    }
  });
  if (issues.length > 0) {
    result.objects = keep.map((i) => result.objects[i]!);
    result.sources = keep.map((i) => result.sources[i]!);
    result.issues.push(...issues);
  }
  return issues;
}
