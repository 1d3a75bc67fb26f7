/** Writes the human-facing files of a results folder: metrics.csv and report.html. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultsDocument } from '../results/schema.js';
import { renderCharts } from './charts.js';
import { metricsCsv } from './csv.js';
import { renderHtml } from './html.js';

export async function writeReports(dir: string, doc: ResultsDocument): Promise<void> {
  writeFileSync(join(dir, 'metrics.csv'), metricsCsv(doc));
  writeFileSync(join(dir, 'report.html'), renderHtml(doc, await renderCharts(doc)));
}
