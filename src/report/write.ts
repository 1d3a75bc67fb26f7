/**
 * Writes the human-facing files of a results folder (metrics.csv and report.html, and for
 * `report` the results document): only those whose content changed, each atomically. A folder
 * that refuses writes (a downloaded CI artifact, a read-only mount) is reported back, not an error.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, describeFsError } from '../errors.js';
import type { ResultsDocument } from '../results/schema.js';
import { canonical } from '../util/json.js';
import { preloadRenderer, releaseRenderer } from './chart-spec.js';
import { renderCharts } from './charts.js';
import { metricsCsv } from './csv.js';
import { renderHtml } from './html.js';

export interface FolderFile {
  name: string;
  content: string;
  /** Whether the file on disk already says the same (default: the same text). */
  same?: (existing: string) => boolean;
}

/** A JSON file is the same when its value is, whatever the order of its keys. */
export function sameJson(value: unknown): (existing: string) => boolean {
  return (existing) => {
    try {
      return canonical(JSON.parse(existing)) === canonical(value);
    } catch {
      return false;
    }
  };
}

export interface WriteOutcome {
  written: string[];
  unchanged: string[];
  /** Files that differ but could not be written: the folder is read-only. */
  readOnly: string[];
}

/** Errors that mean "this folder does not take writes" rather than a bug. */
const READ_ONLY = new Set(['EACCES', 'EPERM', 'EROFS']);

export async function reportFiles(doc: ResultsDocument): Promise<FolderFile[]> {
  return [
    { name: 'metrics.csv', content: metricsCsv(doc) },
    { name: 'report.html', content: renderHtml(doc, await renderCharts(doc)) },
  ];
}

/** Starts loading what the reports need (the chart renderer) ahead of `writeReports`, without waiting; see chart-spec.ts. */
export function preloadReports(where: 'here' | 'thread'): void {
  preloadRenderer(where);
}

/** Ends what `preloadReports` started (a render thread), once the reports are written or will not be. */
export function releaseReports(): void {
  releaseRenderer();
}

export async function writeReports(dir: string, doc: ResultsDocument): Promise<WriteOutcome> {
  return writeChanged(dir, await reportFiles(doc));
}

export function writeChanged(dir: string, files: FolderFile[]): WriteOutcome {
  const outcome: WriteOutcome = { written: [], unchanged: [], readOnly: [] };
  for (const f of files) {
    const path = join(dir, f.name);
    if (existsSync(path) && (f.same ?? ((text: string) => text === f.content))(readFileSync(path, 'utf8'))) {
      outcome.unchanged.push(f.name);
      continue;
    }
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, f.content);
      renameSync(tmp, path);
      outcome.written.push(f.name);
    } catch (err) {
      rmSync(tmp, { force: true });
      if (!READ_ONLY.has((err as NodeJS.ErrnoException).code ?? '')) throw new UserError(`cannot write ${path}: ${describeFsError(err)}`);
      outcome.readOnly.push(f.name);
    }
  }
  return outcome;
}
