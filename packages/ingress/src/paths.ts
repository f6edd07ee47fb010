// Path helpers: nginx URI normalisation, element-wise prefix matching and the per-host
// segment trie both routers use for Prefix / PathPrefix rules.

/**
 * The URI nginx matches locations against (ngx_http_parse_complex_uri): `%XX` decoded, runs of
 * `/` merged (merge_slashes on), `.` and `..` resolved. Returns null where nginx answers 400
 * (a `..` above `/`, a bad escape).
 */
export function normalizeNginxURI(path: string): string | null {
  // Fast path: no escapes, no `//`, no `/.` — the URI is already normal (one scan, no allocation).
  let clean = true;
  for (let i = 0; clean && i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 37) clean = false;
    else if (c === 47) {
      const next = path.charCodeAt(i + 1);
      clean = next !== 47 && next !== 46;
    }
  }
  if (clean) return path;
  let decoded = path;
  if (path.includes('%')) {
    let out = '';
    let from = 0;
    for (let i = path.indexOf('%'); i >= 0; i = path.indexOf('%', from)) {
      const hex = path.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
      out += path.slice(from, i) + String.fromCharCode(Number.parseInt(hex, 16));
      from = i + 3;
    }
    decoded = out + path.slice(from);
  }
  if (!decoded.includes('//') && !decoded.includes('/.')) return decoded;
  // Segment by segment after the first `/` (no array of every part): empty segments merge, `.`
  // goes, `..` takes the segment before with it; a last `.` or `..` leaves a trailing `/`.
  const segments: string[] = [];
  let start = decoded.indexOf('/') + 1;
  for (;;) {
    const slash = decoded.indexOf('/', start);
    const last = slash < 0;
    const end = last ? decoded.length : slash;
    const dots = dotSegment(decoded, start, end);
    if (end === start || dots === 1) {
      if (last) segments.push('');
    } else if (dots === 2) {
      if (segments.length === 0) return null;
      segments.pop();
      if (last) segments.push('');
    } else segments.push(decoded.slice(start, end));
    if (last) return `/${segments.join('/')}`;
    start = end + 1;
  }
}

/** 1 when `path[start, end)` is `.`, 2 when it is `..`, else 0. */
function dotSegment(path: string, start: number, end: number): number {
  if (end - start === 1) return path.charCodeAt(start) === 46 ? 1 : 0;
  if (end - start === 2) return path.charCodeAt(start) === 46 && path.charCodeAt(start + 1) === 46 ? 2 : 0;
  return 0;
}

/**
 * Element-wise prefix match of Ingress `Prefix` / Gateway `PathPrefix` (networking/v1 types.go):
 * the rule's trailing `/` is ignored, the request may end in `/`, and `/foo` never matches `/foobar`.
 */
export function elementPrefixMatches(rule: string, path: string): boolean {
  const p = trimTrailingSlash(rule);
  if (p === '') return true;
  return path === p || (path.startsWith(p) && path.charCodeAt(p.length) === 47);
}

/** `/foo/` → `/foo`; `/` → `` (the root prefix). */
export function trimTrailingSlash(path: string): string {
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

interface TrieNode<T> {
  /** Small fan-out: alternating element, child, element, child… scanned without slicing the path. */
  kids: (string | TrieNode<T>)[] | undefined;
  /** Large fan-out (more than {@link smallFanOut} children): a Map. */
  map: Map<string, TrieNode<T>> | undefined;
  value: T | undefined;
}

const smallFanOut = 8;

function newNode<T>(): TrieNode<T> {
  return { kids: undefined, map: undefined, value: undefined };
}

function childOf<T>(node: TrieNode<T>, element: string): TrieNode<T> | undefined {
  if (node.map) return node.map.get(element);
  const kids = node.kids;
  if (!kids) return undefined;
  for (let k = 0; k < kids.length; k += 2) if (kids[k] === element) return kids[k + 1] as TrieNode<T>;
  return undefined;
}

function addChild<T>(node: TrieNode<T>, element: string, child: TrieNode<T>): void {
  if (node.map) {
    node.map.set(element, child);
    return;
  }
  node.kids ??= [];
  node.kids.push(element, child);
  if (node.kids.length > 2 * smallFanOut) {
    node.map = new Map();
    for (let k = 0; k < node.kids.length; k += 2) node.map.set(node.kids[k] as string, node.kids[k + 1] as TrieNode<T>);
    node.kids = undefined;
  }
}

/** The child for the element of `path` from `start` to `end` (exclusive). */
function childAt<T>(node: TrieNode<T>, path: string, start: number, end: number): TrieNode<T> | undefined {
  if (node.map) return node.map.get(path.slice(start, end));
  const kids = node.kids;
  if (!kids) return undefined;
  const length = end - start;
  for (let k = 0; k < kids.length; k += 2) {
    const key = kids[k] as string;
    if (key.length === length && path.startsWith(key, start)) return kids[k + 1] as TrieNode<T>;
  }
  return undefined;
}

/**
 * A trie over `/`-separated path elements. `strict` entries (nginx's `location /foo/`) need the
 * request to continue with `/` after the element; loose entries (spec Prefix) match `/foo` too.
 * Lookup costs one probe per request element and never touches unrelated rules.
 */
export class SegmentTrie<T> {
  private readonly root: TrieNode<T> = newNode();
  private readonly strict: boolean;
  size = 0;

  constructor(options: { strict: boolean }) {
    this.strict = options.strict;
  }

  /** Stores `value` for a rule path (trailing `/` ignored); returns the previous value if any. */
  insert(rulePath: string, value: T): T | undefined {
    let node = this.root;
    const trimmed = trimTrailingSlash(rulePath);
    if (trimmed !== '') {
      for (const element of trimmed.slice(1).split('/')) {
        let child = childOf(node, element);
        if (!child) {
          child = newNode();
          addChild(node, element, child);
        }
        node = child;
      }
    }
    const previous = node.value;
    if (previous === undefined) this.size++;
    node.value = value;
    return previous;
  }

  /** The value of the deepest rule matching `path`, and the rule's element depth. */
  longest(path: string): { value: T; depth: number } | undefined {
    let node = this.root;
    let bestValue = node.value;
    let bestDepth = 0;
    let depth = 0;
    let i = 1;
    for (;;) {
      const j = path.indexOf('/', i);
      const child = childAt(node, path, i, j < 0 ? path.length : j);
      if (!child) break;
      node = child;
      depth++;
      if (node.value !== undefined && (!this.strict || j >= 0)) {
        bestValue = node.value;
        bestDepth = depth;
      }
      if (j < 0) break;
      i = j + 1;
    }
    return bestValue === undefined ? undefined : { value: bestValue, depth: bestDepth };
  }

  /** The value stored for exactly this rule path. */
  get(rulePath: string): T | undefined {
    let node: TrieNode<T> | undefined = this.root;
    const trimmed = trimTrailingSlash(rulePath);
    if (trimmed !== '') {
      for (const element of trimmed.slice(1).split('/')) {
        node = node ? childOf(node, element) : undefined;
        if (!node) return undefined;
      }
    }
    return node?.value;
  }
}
