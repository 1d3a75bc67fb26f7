import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers.js';

const COMMANDS = ['run', 'probe', 'report', 'compare', 'merge', 'list', 'inspect'];

test('--help of every command: an Examples section, defaults shown, required options marked, 80 columns', async () => {
  const helps = Object.fromEntries(await Promise.all(COMMANDS.map(async (c) => [c, await runCli([c, '--help'])] as const)));
  for (const c of COMMANDS) {
    const h = helps[c];
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, new RegExp(`\\nExamples:\\n  # .+\\n  \\$ init-bench ${c}`), `${c} --help has examples`);
    for (const line of h.stdout.split('\n')) assert.ok(line.length <= 80, `${c}: ${line}`);
  }
  assert.match(helps.merge.stdout, /-o, --out <dir>\s+the merged results folder \(required\)/);
  assert.match(helps.inspect.stdout, /--init <name>[^]*?\(required[;)][^]*--shape <dims>[^]*?\(required\)/);
  assert.match(helps.run.stdout, /--progress <mode>[^-]*\(default: auto\)/);
  assert.match(helps.run.stdout, /--retries <n>[^-]*\(default: 0\)/);
  assert.match(helps.probe.stdout, /--batch <n>[^-]*\(default: 256\)/);
  const top = await runCli(['--help']);
  assert.match(top.stdout, /Examples:/);
});
