import { CORE_SCHEMA, load } from 'js-yaml';
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import { knownKinds } from '../objects/kinds.js';
import type { KubernetesObject } from '../objects/meta.js';
import { applyDefaults } from './defaults.js';
import { type DocumentSegment, splitDocuments } from './documents.js';
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

/** A problem found while reading one document, before it is placed in the file. */
interface PendingIssue {
  path: FieldPath;
  message: string;
  object?: string;
  /** Already placed (YAML syntax errors carry their own position). */
  at?: { line: number; column: number };
}

/** Objects and problems of one document. */
interface DocumentResult {
  objects: { object: KubernetesObject; path: FieldPath }[];
  issues: PendingIssue[];
}

// Anchors and aliases go through the slow path, which bounds alias expansion.
const anchorOrAlias = /(^|[\s[{,:-])[&*][^\s,\]}]/m;

/**
 * Parses multi-document YAML (or JSON) the way `kubectl apply -f` reads a file: empty documents
 * skipped, `List` kinds unwrapped, defaults applied, every object validated. Every problem in the
 * text is returned at once with its file, document, line, column, object and field path.
 *
 * Clean documents take a fast path (js-yaml); a document with any problem is read again with the
 * `yaml` library, which keeps node positions, so errors point at the exact line and column.
 * @example parseManifests(yamlText, { file: 'shop.yaml' }).objects
 */
export function parseManifests(text: string, options: ParseManifestOptions = {}): ManifestLoadResult {
  const file = options.file ?? '<inline>';
  const result: ManifestLoadResult = { objects: [], issues: [], sources: [] };
  const mayAlias = anchorOrAlias.test(text);
  splitDocuments(text).forEach((segment, index) => {
    const fast = mayAlias && anchorOrAlias.test(segment.text) ? undefined : readFast(segment, options);
    if (fast && fast.issues.length === 0) {
      const at = firstContent(segment);
      for (const { object } of fast.objects) {
        result.objects.push(object);
        result.sources.push({ file, document: index, ...at });
      }
      return;
    }
    readSlow(segment, index, file, options, result);
  });
  return result;
}

/** Parses one document with js-yaml (YAML 1.2 core schema: no timestamps turned into dates). */
function readFast(segment: DocumentSegment, options: ParseManifestOptions): DocumentResult | undefined {
  let value: unknown;
  try {
    value = load(segment.text, { schema: CORE_SCHEMA });
  } catch {
    return undefined; // syntax errors and duplicate keys: the slow path reports them with positions
  }
  return readDocumentValue(value, options);
}

/** Parses one document with the `yaml` library and places every problem at its node. */
function readSlow(
  segment: DocumentSegment,
  index: number,
  file: string,
  options: ParseManifestOptions,
  result: ManifestLoadResult,
): void {
  const lineCounter = new LineCounter();
  const doc = parseDocument(segment.text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const place = (at: { line: number; column: number }) => ({ line: at.line + segment.startLine, column: at.column });
  const push = (issue: PendingIssue) => {
    const at = place(issue.at ?? locate(doc, lineCounter, issue.path));
    result.issues.push({
      file,
      document: index,
      ...at,
      object: issue.object,
      path: formatPath(issue.path),
      message: issue.message,
      severity: 'error',
    });
  };
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const pos = lineCounter.linePos(error.pos[0]);
      push({ path: [], message: `invalid YAML: ${error.message.split('\n')[0]}`, at: { line: pos.line, column: pos.col } });
    }
    return;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    push({ path: [], message: `invalid YAML: ${(error as Error).message}` });
    return;
  }
  const read = readDocumentValue(value, options, (path) => doc.hasIn(path));
  for (const issue of read.issues) push(issue);
  for (const { object, path } of read.objects) {
    result.objects.push(object);
    result.sources.push({ file, document: index, ...place(locate(doc, lineCounter, path)) });
  }
}

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

/** 1-based line/column of the first character that is not blank or a comment. */
function firstContent(segment: DocumentSegment): { line: number; column: number } {
  const match = /^([ \t]*)[^\s#]/m.exec(segment.text);
  if (!match) return { line: segment.startLine + 1, column: 1 };
  let line = segment.startLine + 1;
  for (let i = segment.text.indexOf('\n'); i !== -1 && i < match.index; i = segment.text.indexOf('\n', i + 1)) line++;
  return { line, column: match[1]!.length + 1 };
}

/**
 * Turns one parsed document into objects (unwrapping `List`), defaulted and validated.
 * `inSource` tells whether a path was written in the file; without it every problem is kept.
 */
function readDocumentValue(
  value: unknown,
  options: ParseManifestOptions,
  inSource?: (path: FieldPath) => boolean,
): DocumentResult {
  const out: DocumentResult = { objects: [], issues: [] };
  if (value === null || value === undefined) return out; // an empty document, as between two '---'
  if (!isObject(value)) {
    out.issues.push({
      path: [],
      message: `expected a Kubernetes object (a mapping with apiVersion and kind), got ${Array.isArray(value) ? 'a list' : typeof value}`,
    });
    return out;
  }
  if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    value.items.forEach((item, i) => {
      readObject(item, ['items', i], options, out, inSource);
    });
  } else {
    readObject(value, [], options, out, inSource);
  }
  return out;
}

function readObject(
  raw: unknown,
  base: FieldPath,
  options: ParseManifestOptions,
  out: DocumentResult,
  inSource?: (path: FieldPath) => boolean,
): void {
  const issue = (path: FieldPath, message: string, object?: string) =>
    out.issues.push({ path: [...base, ...path], message, object });
  if (!isObject(raw)) {
    issue([], 'expected a Kubernetes object (a mapping with apiVersion and kind)');
    return;
  }
  const metadata = isObject(raw.metadata) ? raw.metadata : undefined;
  const kind = raw.kind;
  const name = typeof metadata?.name === 'string' ? metadata.name : '';
  const namespaceText = typeof metadata?.namespace === 'string' ? metadata.namespace : undefined;
  if (typeof kind !== 'string' || kind === '') {
    issue(['kind'], "Required value: kind is missing; every object needs 'apiVersion' and 'kind'");
    return;
  }
  const info = knownKinds.get(kind);
  const label = `${kind}/${namespaceText ? `${namespaceText}/` : ''}${name}`;
  if (!info) {
    issue(
      ['kind'],
      `unknown kind "${kind}" (apiVersion ${String(raw.apiVersion)}); kemu reads: ${[...knownKinds.keys()].join(', ')}`,
      label,
    );
    return;
  }
  if (typeof raw.apiVersion !== 'string' || raw.apiVersion === '') {
    issue(['apiVersion'], `Required value: apiVersion is missing (expected ${info.apiVersions[0]})`, label);
    return;
  }
  if (!info.apiVersions.includes(raw.apiVersion)) {
    issue(['apiVersion'], `no kind "${kind}" in version "${raw.apiVersion}"; expected ${info.apiVersions.join(' or ')}`, label);
    return;
  }
  if (!metadata) {
    issue(['metadata'], 'Required value: metadata with a name is required', label);
    return;
  }
  if (!options.skipDefaults) applyDefaults(raw, options.namespace);
  else if (info.namespaced && !metadata.namespace) metadata.namespace = options.namespace ?? 'default';
  const ref = `${kind}/${info.namespaced ? `${String(metadata.namespace)}/` : ''}${name}`;
  let errors = 0;
  validateObject(raw, (path, message) => {
    // A value the defaults filled in (targetPort from port) repeats an error already reported
    // where the user wrote it: report only what stands in the file, or what is missing from it.
    if (inSource && path.length > 0 && !message.startsWith('Required value') && !inSource([...base, ...path])) return;
    errors++;
    issue(path, message, ref);
  });
  if (errors === 0) out.objects.push({ object: raw as unknown as KubernetesObject, path: base });
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
