/**
 * What the page is made of, all served by this process (no CDN, no external font: it works
 * offline): the HTML shell, one stylesheet, the page's own compiled modules (src/serve/page/),
 * what the form is built from (the config keys and the initializer catalogue, described by the
 * API) and the presets of configs/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { describeConfig, describeInitializers, type ConfigField, type InitializerDoc } from './engine.js';
import { PAGE_CSS } from './page-css.js';

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));
/** configs/ of the package (dist/src/serve -> the package root). */
const CONFIGS_DIR = fileURLToPath(new URL('../../../configs/', import.meta.url));

/** The page's modules (compiled from src/serve/page/*.ts): the only scripts served. */
const MODULES = ['app.js', 'charts.js', 'series.js', 'table.js', 'form.js'];

const INDEX_HTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>init-bench serve</title><link rel="stylesheet" href="/assets/app.css"><link rel="icon" href="data:,">
<script type="module" src="/assets/app.js"></script></head>
<body>
<header><h1>init-bench <span class="meta">watch initializers learn</span></h1><p id="notice" class="meta"></p></header>
<main>
<section id="side">
  <h2>Runs</h2>
  <ul id="runs"></ul>
  <h2>New run</h2>
  <form id="run-form" novalidate></form>
</section>
<section id="view">
  <div id="run-head"><p class="meta">Start a run, or open one from the list.</p></div>
  <h2>Comparison</h2>
  <div id="table"><p class="meta">No finished trial yet.</p></div>
  <h2>Charts</h2>
  <p class="meta" id="epoch-pick"></p>
  <div class="charts" id="charts"></div>
</section>
</main>
</body></html>
`;

export interface Asset {
  type: string;
  body: string | Buffer;
}

/** A page asset by name, or null (only names of the fixed list exist). */
export function asset(name: string): Asset | null {
  if (name === 'index.html') return { type: 'text/html; charset=utf-8', body: INDEX_HTML };
  if (name === 'app.css') return { type: 'text/css; charset=utf-8', body: PAGE_CSS };
  if (!MODULES.includes(name)) return null;
  // tsc's source-map comment would make a browser's devtools ask for a file that is not served.
  const code = readFileSync(join(PAGE_DIR, name), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  return { type: 'text/javascript; charset=utf-8', body: code };
}

/** What the form is built from: every config key and every initializer, each described. */
export interface FormSpec {
  fields: ConfigField[];
  initializers: InitializerDoc[];
}

/** The same for every request: computed once, on first use. */
let spec: FormSpec | null = null;

export function formSpec(): FormSpec {
  spec ??= { fields: describeConfig(), initializers: describeInitializers() };
  return spec;
}

export interface Preset {
  file: string;
  /** The file's leading comment: what to look for. */
  description: string;
  config: Record<string, unknown>;
}

/** The configs/ presets, as starting points for the form. */
export function presets(): Preset[] {
  if (!existsSync(CONFIGS_DIR)) return [];
  return readdirSync(CONFIGS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) => {
      const text = readFileSync(join(CONFIGS_DIR, file), 'utf8');
      const doc = parseDocument(text);
      if (doc.errors.length) return [];
      const lines = text.split('\n');
      const leading = lines.slice(0, Math.max(0, lines.findIndex((l) => !l.startsWith('#'))));
      const description = leading.filter((l) => !l.includes('yaml-language-server')).map((l) => l.replace(/^#\s?/, '')).join(' ').replace(/\s+/g, ' ').trim();
      return [{ file, description, config: (doc.toJS() ?? {}) as Record<string, unknown> }];
    })
    .sort((a, b) => (a.file === 'default.yaml' ? -1 : b.file === 'default.yaml' ? 1 : a.file.localeCompare(b.file)));
}
