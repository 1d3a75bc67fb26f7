/**
 * `model.file`: the config's side of model files. Each file is read, bounded and parsed once
 * when the config is resolved (model/keras.ts), its content hashed (sha256, recorded in
 * `model.fileSha256` so that a resumed run or a merge refuses a changed file), and its network
 * handed to every grid point that names it: trials never read the file again, so workers and
 * shards train exactly what was validated.
 */
import type { InitSpec } from '../initializers/registry.js';
import { FILE_ENTRY, authoredSpec } from '../model/init.js';
import { readModelFile, type FileModel } from '../model/keras.js';
import { architectureOf, layerPlan } from '../model/plan.js';
import type { GridPoint } from './grid.js';
import type { ParsedConfig } from './schema.js';

export interface ReadFile {
  model: FileModel;
  sha256: string;
}

/** Keys of `model` that describe the built-in networks: a model file replaces them. */
const BUILT_IN_KEYS = ['kind', 'activation', 'hidden', 'depth', 'width', 'filters', 'kernelSize', 'pool', 'padding', 'head', 'batchNorm', 'dropout', 'residual', 'blockDepth'];

/** The model file paths a config names, in order. */
export function filePaths(model: ParsedConfig['model']): string[] {
  return model.file === undefined ? [] : Array.isArray(model.file) ? model.file : [model.file];
}

/** Built-in network keys given beside `model.file` (on what the user gave, before defaults). */
export function fileKeyProblems(model: Record<string, unknown>): string[] {
  if (model.file === undefined) return [];
  const given = BUILT_IN_KEYS.filter((k) => model[k] !== undefined);
  return given.length ? [`${given.map((k) => `\`model.${k}\``).join(', ')} ${given.length > 1 ? 'describe' : 'describes'} the built-in networks; with \`model.file\` the file gives the network (leave ${given.length > 1 ? 'them' : 'it'} out)`] : [];
}

/** Reads every model file; problems (unreadable, unsupported, changed since recorded, given twice) are collected. */
export function readModelFiles(model: ParsedConfig['model'], problems: string[]): Map<string, ReadFile> {
  const files = new Map<string, ReadFile>();
  const recorded = model.fileSha256 ?? {};
  for (const path of filePaths(model)) {
    try {
      const file = readModelFile(path);
      const was = recorded[path];
      if (was !== undefined && was !== file.sha256) {
        problems.push(`model file ${path} has changed since its sha256 was recorded (${was.slice(0, 12)}..., now ${file.sha256.slice(0, 12)}...): results of the old file and the new one do not mix; start a new run`);
        continue;
      }
      const same = [...files.entries()].find(([, f]) => f.sha256 === file.sha256);
      if (same) problems.push(`model files ${same[0]} and ${path} have the same content; give each network once`);
      files.set(path, file);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  for (const path of Object.keys(recorded)) if (!files.has(path) && !filePaths(model).includes(path)) problems.push(`\`model.fileSha256\` names ${path}, which is not a \`model.file\``);
  return files;
}

/** Each grid point that names a file gets its network and sha256. */
export function withFiles(grid: GridPoint[], files: Map<string, ReadFile>): GridPoint[] {
  return grid.map((point) => {
    const { fileSha256: _recorded, ...model } = point.model as GridPoint['model'] & { fileSha256?: unknown };
    const file = model.file === undefined ? undefined : files.get(model.file);
    return file ? { ...point, model: { ...model, fileSha256: file.sha256, network: file.model } } : { ...point, model };
  });
}

/**
 * What only a model file can get wrong with an initializer: `file` without a file, a file whose
 * author's initializer has no catalogue counterpart, pretraining on a network that is not a
 * plain stack of Dense layers.
 */
export function fileInitProblems(grid: GridPoint[], initializers: InitSpec[], dims: { height: number; width: number; classes: number }): string[] {
  const problems = new Set<string>();
  const usesFile = (s: InitSpec) => [s, ...Object.values(s.layers ?? {})].some((k) => k.name === FILE_ENTRY);
  for (const point of grid) {
    const plans = layerPlan(architectureOf(point.model, dims));
    for (const spec of initializers) {
      if (usesFile(spec)) {
        if (!point.model.network) problems.add(`initializer ${spec.label}: \`file\` is a model file's own initializers; give \`model.file\` (--model-file)`);
        for (const p of plans) {
          for (const what of ['kernel', 'bias'] as const) {
            if (!p.file || (what === 'bias' && (spec.bias || !p.file.useBias))) continue;
            try {
              authoredSpec(p, what);
            } catch (err) {
              problems.add(`initializer ${spec.label}: model file ${point.model.file}, ${(err as Error).message}`);
            }
          }
        }
      }
      if (spec.name === 'layerwisePretrain' && point.model.network && plans.some((p) => p.residual)) {
        problems.add(`initializer ${spec.label}: layerwisePretrain pretrains a plain stack of Dense layers; ${point.model.file} has residual blocks (Add layers)`);
      }
    }
  }
  return [...problems];
}
