import type { HTTPIngressPath, HTTPRouteFilter, HTTPRouteMatch } from '@kemu/core';

/** How one Ingress path becomes a Gateway API match, and what (if anything) changes meaning. */
export interface PathTranslation {
  match?: HTTPRouteMatch;
  /** More matches ORed with `match` in the same rule. */
  extraMatches?: HTTPRouteMatch[];
  /** The URLRewrite path part from rewrite-target, when there is one. */
  rewritePath?: NonNullable<HTTPRouteFilter['urlRewrite']>['path'];
  /** Set when the translation is exact: the note says how. */
  exact?: string;
  /** Set when the meaning changes: what differs. */
  difference?: string;
  /** Set when the path cannot be expressed: why. */
  refused?: string;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// The rewrite pattern of ingress-nginx's own docs: path `/prefix(/|$)(.*)`, target `/replacement/$2`
// (docs/examples/rewrite). It is PathPrefix + ReplacePrefixMatch exactly.
const prefixCapturePattern = /^(\/[^()[\]{}*+?|^$\\]*?)\(\/\|\$\)\(\.\*\)$/;
const prefixCaptureTarget = /^(\/?[^$]*?)\/?\$2$/;

/**
 * Translates one Ingress path. `regexHost` is ingress-nginx's regex mode for the whole host
 * (use-regex or rewrite-target on any Ingress of the host), where every path becomes a
 * case-insensitive regex location (`location ~* "^path"`).
 */
/** `shadowed`: another path of the host is a string prefix of this one (e.g. `/`) and would take its near misses. */
export function translatePath(
  entry: HTTPIngressPath,
  regexHost: boolean,
  rewriteTarget: string | undefined,
  shadowed = false,
): PathTranslation {
  const path = entry.path ?? '/';
  if (rewriteTarget !== undefined) return translateRewrite(path, rewriteTarget);
  if (regexHost) {
    return {
      match: { path: { type: 'RegularExpression', value: `${path}.*` } },
      difference: `ingress-nginx matches this host's paths as case-insensitive regexes (~* "^${path}") and takes the first by length; the RegularExpression "${path}.*" is case-sensitive`,
    };
  }
  switch (entry.pathType) {
    case 'Exact':
      if (path.endsWith('/') && path !== '/') {
        return {
          match: { path: { type: 'Exact', value: path } },
          difference: `ingress-nginx answers ${path.slice(0, -1)} with a 301 to ${path} (trailing-slash location); the HTTPRoute answers 404`,
        };
      }
      return { match: { path: { type: 'Exact', value: path } }, exact: 'Exact → Exact' };
    case 'Prefix':
      if (path.endsWith('/') && path !== '/') {
        return {
          match: { path: { type: 'PathPrefix', value: path } },
          difference: `ingress-nginx answers ${path.slice(0, -1)} with a 301 to ${path} (trailing-slash location); the HTTPRoute PathPrefix serves it`,
        };
      }
      return { match: { path: { type: 'PathPrefix', value: path } }, exact: 'Prefix → PathPrefix (element-wise in both)' };
    default: {
      // ingress-nginx: ImplementationSpecific is a plain nginx prefix location, a string prefix.
      if (path === '/')
        return { match: { path: { type: 'PathPrefix', value: '/' } }, exact: 'ImplementationSpecific / → PathPrefix /' };
      const prefix = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
      const regex = `${escapeRegex(path)}.*`;
      // PathPrefix keeps the length precedence for the path and its sub-paths; the
      // RegularExpression adds the string-prefix near misses (/foo catches /foobar in nginx).
      const matches = [
        { path: { type: 'PathPrefix' as const, value: prefix } },
        { path: { type: 'RegularExpression' as const, value: regex } },
      ];
      if (shadowed) {
        return {
          match: matches[0],
          extraMatches: [matches[1]!],
          difference: `ImplementationSpecific ${path} is a string prefix in ingress-nginx (${path}x goes here); PathPrefix ${prefix} + RegularExpression "${regex}" match the same requests, but a RegularExpression ranks below every PathPrefix in Gateway API, so ${path}x now goes to a shorter path of this host`,
        };
      }
      return {
        match: matches[0],
        extraMatches: [matches[1]!],
        exact: `ImplementationSpecific is a string prefix in ingress-nginx (${path} catches ${path}x): PathPrefix ${prefix} + RegularExpression "${regex}"`,
      };
    }
  }
}

function translateRewrite(path: string, target: string): PathTranslation {
  const caseNote = 'ingress-nginx matches rewrite paths case-insensitively (~*); the HTTPRoute match is case-sensitive';
  if (!target.includes('$')) {
    // A target without captures replaces the whole path (the query string is kept).
    if (!/[()[\]{}*+?|^$\\]/.test(path)) {
      return {
        match: { path: { type: 'RegularExpression', value: `${escapeRegex(path)}.*` } },
        rewritePath: { type: 'ReplaceFullPath', replaceFullPath: target },
        difference: `rewrite-target ${target} → URLRewrite ReplaceFullPath ${target}; ${caseNote}`,
      };
    }
    return {
      match: { path: { type: 'RegularExpression', value: `${path}.*` } },
      rewritePath: { type: 'ReplaceFullPath', replaceFullPath: target },
      difference: `rewrite-target ${target} → URLRewrite ReplaceFullPath; ${caseNote}`,
    };
  }
  const prefix = prefixCapturePattern.exec(path);
  const replacement = prefixCaptureTarget.exec(target);
  if (prefix && replacement) {
    const prefixPath = prefix[1] === '' ? '/' : prefix[1]!;
    const replace = replacement[1] === '' ? '/' : replacement[1]!;
    return {
      match: { path: { type: 'PathPrefix', value: prefixPath } },
      rewritePath: { type: 'ReplacePrefixMatch', replacePrefixMatch: replace },
      difference: `path ${path} with rewrite-target ${target} → PathPrefix ${prefixPath} + URLRewrite ReplacePrefixMatch ${replace}; ${caseNote}`,
    };
  }
  return {
    refused: `rewrite-target "${target}" on path "${path}" uses capture groups in a shape Gateway API cannot express (only "<prefix>(/|$)(.*)" → "<replacement>/$2" maps to ReplacePrefixMatch)`,
  };
}
