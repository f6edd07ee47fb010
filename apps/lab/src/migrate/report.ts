/** What the converter did with one annotation or construct of one Ingress. */
export type Verdict = 'translated' | 'translated-with-difference' | 'refused';

/** One line of the migration report: the object, what it concerned, the verdict and why. */
export interface ReportEntry {
  /** `Ingress/namespace/name`. */
  object: string;
  /** The annotation name, or the construct (`path /foo (ImplementationSpecific)`, `host *.foo.com`). */
  subject: string;
  verdict: Verdict;
  /** What it became, and for a difference or a refusal, exactly what changes or why not. */
  detail: string;
}

/** The converter's report: every annotation and construct with a verdict; nothing dropped silently. */
export interface MigrationReport {
  entries: ReportEntry[];
}

/** True when nothing was refused and nothing changes meaning. */
export function isClean(report: MigrationReport): boolean {
  return report.entries.every((e) => e.verdict === 'translated');
}

/** The report as aligned text, refusals first. */
export function formatReport(report: MigrationReport): string {
  const order: Record<Verdict, number> = { refused: 0, 'translated-with-difference': 1, translated: 2 };
  const entries = [...report.entries].sort((a, b) => order[a.verdict] - order[b.verdict] || a.object.localeCompare(b.object));
  const counts = { translated: 0, 'translated-with-difference': 0, refused: 0 };
  for (const e of entries) counts[e.verdict]++;
  const lines = entries.map((e) => `${e.verdict.padEnd(26)} ${e.object}: ${e.subject}: ${e.detail}`);
  lines.push(
    `${counts.translated} translated, ${counts['translated-with-difference']} translated with a stated difference, ${counts.refused} refused`,
  );
  return `${lines.join('\n')}\n`;
}
