/**
 * `init-bench merge DIR... --out DIR`: combine the results folders of shards (or of a resumed
 * run split across machines) into one folder with the same trials a single-machine run would
 * have, in the same order (results/folder.ts). Folders whose configs differ are refused.
 */
import { UserError } from '../errors.js';
import { mergeFolders } from '../results/folder.js';
import { printDocument } from './output.js';

export interface MergeOptions {
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

export async function mergeCommand(dirs: string[], opts: MergeOptions): Promise<number> {
  if (!opts.out) throw new UserError('merge needs --out DIR (the merged results folder)');
  const { doc, config, missing, backends, warnings } = await mergeFolders(dirs, opts.out);
  const note = (line: string) => !opts.quiet && process.stderr.write(`${line}\n`);
  for (const w of warnings) note(`warning: ${w}`);
  const total = doc.trials.length + missing;
  note(`merged ${dirs.length} folder(s): ${doc.trials.length} of ${total} trials${missing ? ` (${missing} missing: run the missing shards, or --resume ${opts.out})` : ''}`);
  if (backends.length > 1) note(`warning: the folders ran on different backends (${backends.join(', ')}); timings are not comparable`);
  note(`results: ${opts.out}`);
  printDocument(doc, config, opts);
  return 0;
}
