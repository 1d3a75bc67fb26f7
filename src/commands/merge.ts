/**
 * `init-bench merge DIR... --out DIR`: combine the results folders of shards (or of a resumed
 * run split across machines) into one folder with the same trials a single-machine run would
 * have, in the same order (store/folder.ts), with its report.html and metrics.csv. Folders whose
 * configs differ are refused. Missing trials exit 3 unless --allow-partial; --expect is checked
 * on the merged results, as `run` checks it.
 */
import { UserError } from '../errors.js';
import { mergeFolders, readFolder } from '../store/folder.js';
import { checkExpectations, parseExpectations } from '../runner/expect.js';
import { invokedAs } from './invocation.js';
import { printDocument } from './output.js';
import { EXIT } from './run.js';

export interface MergeOptions {
  out?: string;
  json?: boolean;
  quiet?: boolean;
  expect?: string[];
  allowPartial?: boolean;
}

export async function mergeCommand(dirs: string[], opts: MergeOptions): Promise<number> {
  if (!opts.out) throw new UserError('merge needs --out DIR (the merged results folder)');
  // Expressions are checked before anything is written.
  const expectations = opts.expect?.length && dirs.length ? parseExpectations(opts.expect, readFolder(dirs[0], invokedAs()).config.initializers) : [];
  const { doc, config, missing, backends, warnings } = await mergeFolders(dirs, opts.out, invokedAs());
  const note = (line: string) => !opts.quiet && process.stderr.write(`${line}\n`);
  for (const w of warnings) note(`warning: ${w}`);
  const total = doc.trials.length + missing;
  note(`merged ${dirs.length} folder(s): ${doc.trials.length} of ${total} trials`);
  if (backends.length > 1) note(`warning: the folders ran on different backends (${backends.join(', ')}); timings are not comparable`);
  note(`results: ${opts.out}`);
  const results = checkExpectations(expectations, doc.summary);
  printDocument(results.length ? { ...doc, expectations: results } : doc, config, opts);
  // Expectation results always print (stderr keeps stdout for --json), even with -q.
  for (const r of results) process.stderr.write(`expect ${r.text}: ${r.held ? 'held' : 'FAILED'} (${r.measured})\n`);
  if (missing && !opts.allowPartial) {
    process.stderr.write(`${missing} of ${total} trials are missing: run the missing shards and merge again (or ${invokedAs()} run --resume ${opts.out} runs them here); --allow-partial accepts a partial merge\n`);
    return EXIT.someFailed;
  }
  if (missing) note(`${missing} of ${total} trials are missing (--allow-partial)`);
  return results.some((r) => !r.held) ? EXIT.expectation : EXIT.ok;
}
