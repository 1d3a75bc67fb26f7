/**
 * The form that starts a run: what `init-bench run` takes, as the keys of a config file. It is
 * built from what the server describes (/api/form): every config key of the schema with its type,
 * default, allowed values, grid axis and description, and every initializer with its parameters.
 * The page decides only the layout: which keys come first and their titles; every other key
 * follows under "more settings", so a new config key appears here by itself. A preset from
 * configs/ fills it. The server validates everything with the config schema; the form only
 * shapes the values (lists from "a,b", numbers from digits).
 */
import type { FormSpec, Preset } from '../assets.js';
import type { ConfigField, InitializerDoc } from '../engine.js';

type Config = Record<string, unknown>;
type InitInput = string | Record<string, unknown>;

/** The keys shown first, row by row, with their titles; the rest of the schema's keys follow under "more settings". */
const LAYOUT: { key: string; label: string }[][] = [
  [{ key: 'model.kind', label: 'model' }, { key: 'model.activation', label: 'activation' }],
  [{ key: 'model.hidden', label: 'hidden widths' }],
  [{ key: 'model.depth', label: 'depth' }, { key: 'model.width', label: 'width' }],
  [{ key: 'model.filters', label: 'CNN filters' }],
  [{ key: 'train.optimizer', label: 'optimizer' }, { key: 'train.lr', label: 'learning rate' }],
  [{ key: 'train.epochs', label: 'epochs' }, { key: 'train.batchSize', label: 'batch size' }],
  [{ key: 'seeds', label: 'seeds' }],
  [{ key: 'data.trainSize', label: 'train size' }, { key: 'data.testSize', label: 'test size' }],
];
/** Keys with a widget of their own (the name, the initializer rows) or none ($schema: for editors). */
const OWN = ['name', 'initializers', '$schema'];

export interface RunForm {
  /** The config the form describes now. */
  read(): Config;
  fill(config: Config): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function field(label: string, input: HTMLElement, title = ''): HTMLElement {
  return el('div', {}, el('label', { for: input.id, ...(title ? { title } : {}) }, label), input);
}

function text(id: string, placeholder = ''): HTMLInputElement {
  return el('input', { type: 'text', id, name: id, placeholder, autocomplete: 'off' });
}

function select(id: string, options: string[]): HTMLSelectElement {
  return el('select', { id, name: id }, ...options.map((o) => el('option', { value: o }, o)));
}

/** "0.01" -> 0.01, "true" -> true, "fanIn" stays a string. */
export function parseValue(s: string): unknown {
  const t = s.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  const n = Number(t);
  return t !== '' && Number.isFinite(n) ? n : t;
}

/** "0.01, 0.1" -> [0.01, 0.1] (a grid axis); "0.01" -> 0.01; "" -> undefined. */
export function parseAxis(s: string): unknown {
  const parts = s.split(',').map((p) => p.trim()).filter(Boolean);
  if (!parts.length) return undefined;
  return parts.length > 1 ? parts.map(parseValue) : parseValue(parts[0]);
}

/** "256, 128" -> [256, 128] (always a list). */
export function parseList(s: string): unknown[] | undefined {
  const parts = s.split(',').map((p) => p.trim()).filter(Boolean);
  return parts.length ? parts.map(parseValue) : undefined;
}

const show = (v: unknown) => (v === undefined || v === null ? '' : Array.isArray(v) ? v.join(', ') : String(v));

/** The element id of a key: its last part in kebab case (`train.batchSize` -> batch-size), the whole path where two keys share a last part. */
function idsOf(fields: ConfigField[]): Map<string, string> {
  const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/[^\w-]/g, '-');
  const last = (key: string) => key.split('.').pop()!;
  const count = new Map<string, number>();
  for (const f of fields) count.set(last(f.key), (count.get(last(f.key)) ?? 0) + 1);
  return new Map(fields.map((f) => [f.key, kebab(count.get(last(f.key))! > 1 ? f.key : last(f.key))]));
}

function getPath(config: Config, key: string): unknown {
  return key.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Config)[k] : undefined), config);
}

function setPath(config: Config, key: string, value: unknown): void {
  const parts = key.split('.');
  let o = config;
  for (const p of parts.slice(0, -1)) o = (o[p] = { ...((o[p] ?? {}) as Config) }) as Config;
  if (value === undefined) delete o[parts[parts.length - 1]];
  else o[parts[parts.length - 1]] = value;
}

/** One config key's input: a menu where its values are few, else a text box; reads and shows the key's value. */
interface KeyInput {
  field: ConfigField;
  node: HTMLInputElement | HTMLSelectElement;
  set(value: unknown): void;
  get(): unknown;
}

function keyInput(f: ConfigField, id: string): KeyInput {
  const hint = f.axis ? ' (a list makes a grid)' : '';
  if (f.choices) {
    const base = [...(f.default === undefined ? [''] : []), ...f.choices.map(String)];
    const node = select(id, base);
    node.title = f.description;
    // A default the config did not give is left out of it (it applies anyway): a CNN-only key's
    // default sent with an MLP would be refused.
    let given = false;
    return {
      field: f,
      node,
      // A grid from a preset ("relu, tanh") is kept as one more choice of the menu.
      set(value) {
        given = value !== undefined;
        const v = show(value ?? f.default);
        node.replaceChildren(...[...base, ...(base.includes(v) ? [] : [v])].map((o) => el('option', { value: o }, o)));
        node.value = v;
      },
      get: () => {
        if (node.value === '' || (!given && node.value === show(f.default))) return undefined;
        return f.axis ? parseAxis(node.value) : parseValue(node.value);
      },
    };
  }
  const node = text(id, `${show(f.default)}${hint}`.trim());
  node.title = f.description;
  return {
    field: f,
    node,
    set: (value) => void (node.value = show(value)),
    get: () => {
      if (f.list) return parseList(node.value);
      if (f.axis) return parseAxis(node.value);
      if (f.type === 'string') return node.value.trim() || undefined;
      return node.value.trim() ? parseValue(node.value) : undefined;
    },
  };
}

export function createForm(root: HTMLFormElement, spec: FormSpec, presets: Preset[], onSubmit: (config: Config) => void): RunForm {
  let base: Config = {};
  const catalogue: InitializerDoc[] = spec.initializers;
  const byName = new Map(catalogue.map((e) => [e.name, e]));
  const resolveName = (n: string) => catalogue.find((e) => e.name === n || e.aliases.includes(n))?.name ?? n;
  const fieldOf = new Map(spec.fields.map((f) => [f.key, f]));
  const ids = idsOf(spec.fields);
  // A key that names a file or a library is offered only as its words (blas: auto | off); a path comes from no request.
  const inputs = new Map(spec.fields.filter((f) => !OWN.includes(f.key) && !(f.path && !f.choices)).map((f) => [f.key, keyInput(f, ids.get(f.key)!)]));
  const laidOut = new Set(LAYOUT.flat().map((c) => c.key));

  const preset = select('preset', presets.map((p) => p.file));
  const presetNote = el('p', { class: 'preset-note', id: 'preset-note' });
  const name = text('name');
  const inits = el('div', { class: 'inits', id: 'inits' });
  const addInit = el('button', { type: 'button', id: 'add-init' }, '+ initializer');
  const errors = el('div', { class: 'errors', id: 'form-errors', role: 'alert' });
  const start = el('button', { type: 'submit', class: 'primary', id: 'start' }, 'Start run');

  const cell = (key: string, label: string) => field(label, inputs.get(key)!.node, fieldOf.get(key)?.description);
  const rows = LAYOUT.filter((row) => row.every((c) => inputs.has(c.key))).map((row) =>
    row.length === 1 ? cell(row[0].key, row[0].label) : el('div', { class: 'row' }, ...row.map((c) => cell(c.key, c.label))),
  );
  const more = el(
    'details',
    { class: 'more', id: 'more-settings' },
    el('summary', {}, 'more settings'),
    ...[...inputs.keys()].filter((key) => !laidOut.has(key)).map((key) => cell(key, key)),
  );

  root.append(
    field('preset (configs/)', preset), presetNote, field('name', name, fieldOf.get('name')?.description),
    el('label', { title: fieldOf.get('initializers')?.description ?? '' }, 'initializers'), inits, addInit,
    ...rows, more,
    start, errors,
  );

  function initRow(input: InitInput): HTMLElement {
    const row = el('div', { class: 'init' });
    const remove = el('button', { type: 'button', title: 'remove', class: 'remove' }, '×');
    remove.addEventListener('click', () => row.remove());
    const perLayer = typeof input === 'object' && !('name' in input);
    if (perLayer) {
      // Per-layer-kind specs ({ dense, output, bias }) are kept as the preset wrote them.
      row.dataset.raw = JSON.stringify(input);
      row.append(el('div', { class: 'head' }, el('code', {}, JSON.stringify(input)), remove));
      return row;
    }
    const spec = typeof input === 'string' ? { name: input } : input;
    const choose = select('', catalogue.map((e) => e.name));
    choose.removeAttribute('id');
    choose.className = 'init-name';
    choose.value = resolveName(String(spec.name));
    const label = el('input', { type: 'text', class: 'init-label', placeholder: 'label (optional)' });
    label.value = show(spec.label);
    const params = el('div', { class: 'params' });
    const drawParams = (given: Record<string, unknown>) => {
      params.replaceChildren();
      for (const p of byName.get(choose.value)?.parameters ?? []) {
        const title = `${p.type}: ${p.description}`;
        const input = el('input', { type: 'text', 'data-param': p.name, placeholder: show(p.default), title });
        if (given[p.name] !== undefined) input.value = show(given[p.name]);
        params.append(el('div', {}, el('label', { title }, p.name), input));
      }
      row.title = byName.get(choose.value)?.summary ?? '';
    };
    choose.addEventListener('change', () => drawParams({}));
    drawParams(spec);
    row.append(el('div', { class: 'head' }, choose, remove), params, label);
    return row;
  }

  function readInits(): InitInput[] {
    return [...inits.querySelectorAll<HTMLElement>('.init')].map((row) => {
      if (row.dataset.raw) return JSON.parse(row.dataset.raw) as InitInput;
      const spec: Record<string, unknown> = { name: row.querySelector<HTMLSelectElement>('.init-name')!.value };
      for (const input of row.querySelectorAll<HTMLInputElement>('[data-param]')) if (input.value.trim()) spec[input.dataset.param!] = parseValue(input.value);
      const label = row.querySelector<HTMLInputElement>('.init-label')!.value.trim();
      if (label) spec.label = label;
      return Object.keys(spec).length === 1 ? (spec.name as string) : spec;
    });
  }

  function fill(config: Config): void {
    base = structuredClone(config);
    name.value = show(config.name);
    inits.replaceChildren(...((config.initializers ?? []) as InitInput[]).map(initRow));
    for (const [key, input] of inputs) input.set(getPath(config, key));
    // The MLP's widths are given once: `hidden`, or `depth` and `width`.
    if (getPath(config, 'model.depth') !== undefined) inputs.get('model.hidden')?.set(undefined);
    errors.replaceChildren();
  }

  function read(): Config {
    const config = structuredClone(base);
    setPath(config, 'name', name.value.trim() || undefined);
    config.initializers = readInits();
    for (const [key, input] of inputs) setPath(config, key, input.get());
    if (getPath(config, 'model.depth') !== undefined) setPath(config, 'model.hidden', undefined);
    else {
      setPath(config, 'model.depth', undefined);
      setPath(config, 'model.width', undefined);
    }
    return config;
  }

  const choosePreset = () => {
    const p = presets.find((x) => x.file === preset.value);
    if (!p) return;
    presetNote.textContent = p.description;
    fill(p.config);
  };
  preset.addEventListener('change', choosePreset);
  addInit.addEventListener('click', () => inits.append(initRow('heNormal')));
  root.addEventListener('submit', (ev) => {
    ev.preventDefault();
    onSubmit(read());
  });
  choosePreset();
  return { read, fill };
}

/** Shows the server's answer to a rejected config: its message and every problem. */
/**
 * The server's refusal, said once: the heading and the list of problems (not the message, which
 * repeats them), and the fields at fault marked (outlined, with their problem as a tooltip).
 */
export function showErrors(root: HTMLElement, message: string, problems: string[] = []): void {
  const box = root.querySelector<HTMLElement>('#form-errors')!;
  const heading = problems.length > 1 ? message.split('\n')[0] : message;
  box.replaceChildren(el('p', {}, heading), ...(problems.length > 1 ? [el('ul', {}, ...problems.map((p) => el('li', {}, p)))] : []));
  markFields(root, problems);
  // Said where the user looks: the box, under the Start button just pressed, is brought into view.
  if (message) box.scrollIntoView({ block: 'center' });
}

/** The inputs a problem names (`train.lr`: #lr or #train-lr; initializers[1]: the second row), marked; earlier marks cleared. */
export function markFields(root: HTMLElement, problems: string[]): void {
  for (const node of root.querySelectorAll('[aria-invalid=true]')) node.removeAttribute('aria-invalid');
  for (const node of root.querySelectorAll('.init.invalid')) node.classList.remove('invalid');
  const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/[^\w-]/g, '-');
  for (const problem of problems) {
    const init = /^initializers\[(\d+)\]/.exec(problem);
    if (init) {
      const row = root.querySelectorAll<HTMLElement>('.init')[Number(init[1])];
      row?.classList.add('invalid');
      row?.setAttribute('aria-invalid', 'true');
      if (row) row.title = problem;
      continue;
    }
    const key = /`([\w.]+?)(?:\.\d+)?`/.exec(problem)?.[1];
    if (!key) continue;
    const input = root.querySelector<HTMLElement>(`#${CSS.escape(kebab(key.split('.').pop()!))}`) ?? root.querySelector<HTMLElement>(`#${CSS.escape(kebab(key))}`);
    input?.setAttribute('aria-invalid', 'true');
    if (input) input.title = problem;
  }
}
