/**
 * The coordinate check rendered: a table of fitted slopes (terminal) and an HTML page with one
 * chart per parametrization, one panel per layer, width on a log x axis, mean |x| on a log y axis
 * and one line per step (as in Yang et al. 2022, Figure 5, and microsoft/mup's coord-check plots).
 */
import Table from 'cli-table3';
import type { CoordCheckResult } from '../runner/coord-check.js';
import { verdictLine } from '../runner/coord-check.js';
import { render } from './chart-spec.js';
import { tableLook } from './format.js';
import { REPORT_CSS } from './html.js';

/** Per parametrization and layer: the slope at each step, then mean |x| at the narrowest and widest width after the last step. */
export function coordTable(r: CoordCheckResult): string {
  const steps = r.settings.steps;
  const shown = [...new Set([0, 1, steps].filter((s) => s <= steps))];
  const [narrow, wide] = [Math.min(...r.settings.widths), Math.max(...r.settings.widths)];
  const table = new Table({ head: ['parametrization', 'layer', ...shown.map((s) => `slope, step ${s}`), `mean |x| @${narrow}`, `mean |x| @${wide}`], ...tableLook() });
  for (const p of r.settings.parametrizations) {
    for (const layer of r.layers) {
      const slope = (step: number) => r.slopes.find((s) => s.parametrization === p && s.layer === layer && s.step === step)?.slope;
      const at = (width: number) => r.points.find((x) => x.parametrization === p && x.layer === layer && x.width === width && x.step === steps)?.meanAbs;
      table.push([p, layer, ...shown.map((s) => fmt(slope(s), 2)), sci(at(narrow)), sci(at(wide))]);
    }
  }
  return table.toString();
}

export function coordVerdictText(r: CoordCheckResult): string {
  return [
    `Slope: least-squares d log(mean |x|) / d log(width) over widths ${r.settings.widths.join(', ')}; |slope| > ${r.threshold} counts as growing or shrinking.`,
    ...r.verdicts.map(verdictLine),
  ].join('\n');
}

export async function coordHtml(r: CoordCheckResult): Promise<string> {
  const figures: string[] = [];
  for (const p of r.settings.parametrizations) {
    const values = r.points.filter((x) => x.parametrization === p).map((x) => ({ layer: x.layer, width: x.width, step: x.step, meanAbs: x.meanAbs > 0 && Number.isFinite(x.meanAbs) ? x.meanAbs : null }));
    const svg = await render(coordSpec(values, r.layers));
    figures.push(`<figure id="coord-${p}"><h3>${esc(p)}</h3>${svg}<figcaption>${esc(r.verdicts.filter((v) => v.parametrization === p).map(verdictLine).join('. '))}</figcaption></figure>`);
  }
  const s = r.settings;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>init-bench: coordinate check</title><style>${REPORT_CSS} .wide { display: block; }</style></head>
<body>
<h1>init-bench: coordinate check</h1>
<p class="meta">${esc(s.model)}; initializer ${esc(s.init)}; ${esc(s.optimizer)}, lr ${s.lr}; a batch of ${s.batch}; steps 0 to ${s.steps}; seeds ${s.seeds.join(', ')}; backend ${esc(r.backend)}</p>
<p>Mean absolute coordinate of each hidden layer's activations and of the logits on a fixed batch of training digits, before each training step (step 0: at initialization), against the width. A flat line is a layer whose scale does not depend on the width; a rising one will blow up in a wide enough net, a falling one stops learning (Yang et al. 2022, "Tensor Programs V", Figure 5).</p>
<pre>${esc(coordVerdictText(r))}</pre>
<div class="wide">
${figures.join('\n')}
</div>
</body></html>
`;
}

function coordSpec(values: object[], layers: string[]): object {
  const log = { type: 'log' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    facet: { column: { field: 'layer', type: 'nominal', title: null, sort: layers } },
    spec: {
      width: 170,
      height: 170,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'width', type: 'quantitative', scale: { ...log, base: 2 }, title: 'width', axis: { format: 'd' } },
        y: { field: 'meanAbs', type: 'quantitative', scale: log, title: 'mean |x|' },
        color: { field: 'step', type: 'ordinal', title: 'step', scale: { scheme: 'viridis' } },
      },
    },
    resolve: { scale: { y: 'independent' } },
    config: { font: 'sans-serif' },
  };
}

const fmt = (x: number | null | undefined, d: number) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-');
const sci = (x: number | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x.toPrecision(3) : '-');

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
