/**
 * The form that starts a run: what `init-bench run` takes, as the keys of a config file. A preset
 * from configs/ fills it; keys the form does not show (batch norm, dropout, CNN details, ...)
 * are kept from the preset and sent as they are. The server validates everything with the
 * config schema; the form only shapes the values (lists from "a,b", numbers from digits).
 */
import type { CatalogueEntry, Preset } from '../assets.js';

type Config = Record<string, unknown>;
type InitInput = string | Record<string, unknown>;

const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'leakyRelu', 'linear'];
const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'];

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

function field(label: string, input: HTMLElement): HTMLElement {
  return el('div', {}, el('label', { for: input.id }, label), input);
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

export function createForm(root: HTMLFormElement, catalogue: CatalogueEntry[], presets: Preset[], onSubmit: (config: Config) => void): RunForm {
  let base: Config = {};
  const byName = new Map(catalogue.map((e) => [e.name, e]));
  const resolveName = (n: string) => catalogue.find((e) => e.name === n || e.aliases.includes(n))?.name ?? n;

  const preset = select('preset', presets.map((p) => p.file));
  const presetNote = el('p', { class: 'preset-note', id: 'preset-note' });
  const name = text('name');
  const inits = el('div', { class: 'inits', id: 'inits' });
  const addInit = el('button', { type: 'button', id: 'add-init' }, '+ initializer');
  const kind = select('kind', ['mlp', 'cnn']);
  const hidden = text('hidden', '256, 128');
  const depth = text('depth', 'e.g. 20 (replaces hidden)');
  const width = text('width', '256');
  const filters = text('filters', '16, 32');
  const activation = select('activation', ACTIVATIONS);
  const optimizer = select('optimizer', OPTIMIZERS);
  const lr = text('lr', '0.01 (a list makes a grid)');
  const batchSize = text('batch-size');
  const epochs = text('epochs');
  const seeds = text('seeds', '0, 1, 2');
  const trainSize = text('train-size', '8000');
  const testSize = text('test-size', '2000');
  const errors = el('div', { class: 'errors', id: 'form-errors', role: 'alert' });
  const start = el('button', { type: 'submit', class: 'primary', id: 'start' }, 'Start run');

  root.append(
    field('preset (configs/)', preset), presetNote, field('name', name),
    el('label', {}, 'initializers'), inits, addInit,
    el('div', { class: 'row' }, field('model', kind), field('activation', activation)),
    field('hidden widths', hidden), el('div', { class: 'row' }, field('depth', depth), field('width', width)), field('CNN filters', filters),
    el('div', { class: 'row' }, field('optimizer', optimizer), field('learning rate', lr)),
    el('div', { class: 'row' }, field('epochs', epochs), field('batch size', batchSize)),
    field('seeds', seeds),
    el('div', { class: 'row' }, field('train size', trainSize), field('test size', testSize)),
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
      for (const [k, def] of Object.entries(byName.get(choose.value)?.parameters ?? {})) {
        const input = el('input', { type: 'text', 'data-param': k, placeholder: show(def) });
        if (given[k] !== undefined) input.value = show(given[k]);
        params.append(el('div', {}, el('label', {}, k), input));
      }
    };
    choose.addEventListener('change', () => drawParams({}));
    drawParams(spec);
    row.title = byName.get(choose.value)?.summary ?? '';
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
    const model = (config.model ?? {}) as Config;
    const train = (config.train ?? {}) as Config;
    const data = (config.data ?? {}) as Config;
    name.value = show(config.name);
    inits.replaceChildren(...((config.initializers ?? []) as InitInput[]).map(initRow));
    kind.value = show(model.kind ?? 'mlp');
    hidden.value = model.depth === undefined ? show(model.hidden) : '';
    depth.value = show(model.depth);
    width.value = show(model.width);
    filters.value = show(model.filters);
    activation.value = show(model.activation ?? 'relu');
    optimizer.value = show(train.optimizer ?? 'momentum');
    lr.value = show(train.lr);
    batchSize.value = show(train.batchSize);
    epochs.value = show(train.epochs);
    seeds.value = show(config.seeds);
    trainSize.value = show(data.trainSize);
    testSize.value = show(data.testSize);
    errors.replaceChildren();
  }

  function read(): Config {
    const config = structuredClone(base);
    const model = { ...((config.model ?? {}) as Config) };
    const train = { ...((config.train ?? {}) as Config) };
    const data = { ...((config.data ?? {}) as Config) };
    const set = (o: Config, k: string, v: unknown) => (v === undefined ? delete o[k] : (o[k] = v));
    set(config, 'name', name.value.trim() || undefined);
    config.initializers = readInits();
    model.kind = kind.value;
    if (depth.value.trim()) {
      delete model.hidden;
      set(model, 'depth', parseAxis(depth.value));
      set(model, 'width', parseAxis(width.value));
    } else {
      delete model.depth;
      delete model.width;
      set(model, 'hidden', parseList(hidden.value));
    }
    set(model, 'filters', parseList(filters.value));
    model.activation = activation.value;
    train.optimizer = optimizer.value;
    set(train, 'lr', parseAxis(lr.value));
    set(train, 'batchSize', parseAxis(batchSize.value));
    set(train, 'epochs', parseAxis(epochs.value));
    set(config, 'seeds', parseList(seeds.value));
    set(data, 'trainSize', parseAxis(trainSize.value));
    set(data, 'testSize', parseAxis(testSize.value));
    return { ...config, model, train, data };
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
