import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ManifestError, type ManifestIssue } from '../manifests/issue.js';
import { findDuplicates, type ManifestLoadResult, type ParseManifestOptions, parseManifests } from '../manifests/parse.js';

const manifestExtensions = ['.yaml', '.yml', '.json'];

/** Files under a folder, recursively, in name order, with a manifest extension (as `kubectl apply -R -f`). */
async function manifestFilesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await manifestFilesUnder(path)));
    else if (manifestExtensions.some((ext) => entry.name.endsWith(ext))) files.push(path);
  }
  return files;
}

/** Reads all of standard input as text. */
export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Loads manifests from files, folders (recursively) and `-` (standard input), as
 * `kubectl apply -f` takes them. Returns every object and every issue of every file; objects
 * defined twice are reported, the first kept. Never throws for bad content.
 */
export async function loadManifestFiles(
  paths: readonly string[],
  options: Omit<ParseManifestOptions, 'file'> = {},
): Promise<ManifestLoadResult> {
  const merged: ManifestLoadResult = { objects: [], issues: [], sources: [] };
  const unreadable = (file: string, message: string): ManifestIssue => ({
    file,
    document: 0,
    line: 1,
    column: 1,
    path: '',
    message,
    severity: 'error',
  });
  for (const path of paths) {
    let files: string[];
    if (path === '-') {
      const text = await readStdin();
      append(parseManifests(text, { ...options, file: '<stdin>' }));
      continue;
    }
    try {
      files = (await stat(path)).isDirectory() ? await manifestFilesUnder(path) : [path];
    } catch (error) {
      merged.issues.push(
        unreadable(
          path,
          `cannot read: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`,
        ),
      );
      continue;
    }
    if (files.length === 0) merged.issues.push(unreadable(path, 'no .yaml, .yml or .json files in this folder'));
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        merged.issues.push(unreadable(file, `cannot read: ${(error as Error).message}`));
        continue;
      }
      append(parseManifests(text, { ...options, file }));
    }
  }
  findDuplicates(merged);
  return merged;

  function append(result: ManifestLoadResult): void {
    merged.objects.push(...result.objects);
    merged.issues.push(...result.issues);
    merged.sources.push(...result.sources);
  }
}

/** Like {@link loadManifestFiles} but throws {@link ManifestError} when any error was found. */
export async function loadManifestFilesOrThrow(
  paths: readonly string[],
  options: Omit<ParseManifestOptions, 'file'> = {},
): Promise<ManifestLoadResult> {
  const result = await loadManifestFiles(paths, options);
  if (result.issues.some((i) => i.severity === 'error')) throw new ManifestError(result.issues);
  return result;
}
