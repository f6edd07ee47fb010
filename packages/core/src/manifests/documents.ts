/** One YAML document of a multi-document file, with where it starts. */
export interface DocumentSegment {
  /** The document's text; a leading `---` is blanked to spaces so columns stay true. */
  text: string;
  /** 0-based line of the file where `text` starts. */
  startLine: number;
}

/**
 * Splits a multi-document YAML file at its `---` / `...` marker lines (column 0), as a YAML
 * stream is read. Markers can only begin a line at the top level, so this matches the parser
 * while letting kemu parse (and, on errors, locate) one document at a time.
 */
export function splitDocuments(text: string): DocumentSegment[] {
  const segments: DocumentSegment[] = [];
  let segmentStart = 0;
  let segmentLine = 0;
  let line = 0;
  let prefix = '';
  // Walk line starts with indexOf: no per-line allocation for large files.
  for (let at = 0; at <= text.length; ) {
    const end = text.indexOf('\n', at);
    const lineEnd = end === -1 ? text.length : end;
    if (text.startsWith('---', at) && isMarkerEnd(text, at + 3, lineEnd)) {
      if (at > 0) segments.push({ text: prefix + text.slice(segmentStart, at), startLine: segmentLine });
      prefix = '   '; // blank the marker, keep columns
      segmentStart = at + 3;
      segmentLine = line;
    } else if (text.startsWith('...', at) && isMarkerEnd(text, at + 3, lineEnd)) {
      segments.push({ text: prefix + text.slice(segmentStart, at), startLine: segmentLine });
      prefix = '';
      segmentStart = lineEnd;
      segmentLine = line;
    }
    if (end === -1) break;
    at = end + 1;
    line++;
  }
  segments.push({ text: prefix + text.slice(segmentStart), startLine: segmentLine });
  return segments;
}

function isMarkerEnd(text: string, at: number, lineEnd: number): boolean {
  if (at === lineEnd) return true;
  const next = text[at];
  return next === ' ' || next === '\t' || next === '\r';
}
