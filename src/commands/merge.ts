/**
 * `init-bench merge DIR... --out DIR`: combine the results folders of shards (or of a resumed
 * run split across machines) into one folder with the same trials a single-machine run would
 * have, in the same order. Folders whose configs differ are refused.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readConfigFile, resolveConfig } from '../config/load.js';
import { UserError } from '../errors.js';
import { comparisonTable } from '../report/table.js';
import { emptyDocument, summarizeTrials, type ResultsDocument } from '../runner/experiment.js';
import { createResultsDir, readJson, readTrials, writeJsonAtomic, writeRunInfo, writeTrial } from '../runner/store.js';
import { enumerateTasks } from '../runner/tasks.js';
import type { TrialResult } from '../runner/trial.js';
import { canonical, differences } from '../util/json.js';

export interface MergeOptions {
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

export async function mergeCommand(dirs: string[], opts: MergeOptions): Promise<number> {
  if (!opts.out) throw new UserError('merge needs --out DIR (the merged results folder)');
  if (dirs.length === 0) throw new UserError('merge needs at least one results folder');
  for (const d of dirs) if (!existsSync(join(d, 'config.json'))) throw new UserError(`${d} is not a results folder (no config.json)`);
  const sources = dirs.map((d) => readJson(join(d, 'config.json'), 'results folder') as Record<string, unknown>);
  const reference = canonical(sources[0]);
  const differing = dirs.filter((_, i) => canonical(sources[i]) !== reference);
  if (differing.length) {
    throw new UserError(`cannot merge: the config of ${differing.join(', ')} differs from ${dirs[0]}'s (${differences(sources[0], sources[dirs.indexOf(differing[0])]).join(', ')}); only shards of one experiment merge`);
  }
  const config = resolveConfig(readConfigFile(join(dirs[0], 'config.json')), {});
  const tasks = enumerateTasks(config);
  const byId = new Map<string, TrialResult>();
  for (const d of dirs) {
    for (const t of readTrials(d)) {
      const kept = byId.get(t.id);
      if (!kept || (kept.status === 'failed' && t.status !== 'failed')) byId.set(t.id, t); // a finished trial beats a failed attempt
    }
  }
  const backends = new Set(dirs.flatMap((d) => (existsSync(join(d, 'results.json')) ? [(readJson(join(d, 'results.json'), 'results') as ResultsDocument).backend] : [])));
  const doc = emptyDocument(config, [...backends][0]);
  if (backends.size > 1) Object.assign(doc, { backends: [...backends] });
  const out = createResultsDir(config.name, opts.out);
  writeJsonAtomic(join(out, 'config.json'), sources[0]);
  writeRunInfo(out, { shard: null });
  for (const task of tasks) {
    const trial = byId.get(task.id);
    if (!trial) continue;
    doc.trials.push(trial);
    writeTrial(out, task.index, trial);
  }
  doc.summary = summarizeTrials(doc.trials, config.initializers.map((s) => s.label));
  doc.complete = doc.trials.length === tasks.length;
  writeJsonAtomic(join(out, 'results.json'), doc);
  const note = (line: string) => !opts.quiet && process.stderr.write(`${line}\n`);
  note(`merged ${dirs.length} folder(s): ${doc.trials.length} of ${tasks.length} trials${doc.complete ? '' : ` (${tasks.length - doc.trials.length} missing: run the missing shards, or --resume ${out})`}`);
  if (backends.size > 1) note(`warning: the folders ran on different backends (${[...backends].join(', ')}); timings are not comparable`);
  note(`results: ${out}`);
  process.stdout.write(opts.json ? `${JSON.stringify(doc, null, 2)}\n` : `${comparisonTable(doc, config.train.target)}\n`);
  return 0;
}
