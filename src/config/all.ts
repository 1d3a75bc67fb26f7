/**
 * `--init all` (`initializers: [all]`): every initializer of the catalogue that can fill the
 * model, data-dependent ones included, for "which one suits my network?". tfjs's `tfjs:` mirrors
 * are left out: they repeat our entries as tfjs samples them, and are asked for by name.
 */
import { CATALOGUE, resolveInit, type InitSpec } from '../initializers/registry.js';
import { FILE_ENTRY } from '../model/init.js';
import { architectureOf, layerPlan } from '../model/plan.js';
import type { ModelSettings } from './schema.js';

/** The word that stands for the whole catalogue in an initializer list. */
export const ALL = 'all';

/** The entries that can fill every layer of every model, with default parameters, minus labels already requested. */
export function everyFitting(models: ModelSettings[], requested: InitSpec[], dims: { height: number; width: number; classes: number }): { specs: InitSpec[]; skipped: string[] } {
  const plans = models.map((m) => layerPlan(architectureOf(m, dims)));
  const shapes = plans.flatMap((plan) => plan.map((p) => p.shape));
  const taken = new Set(requested.map((s) => s.label));
  const specs: InitSpec[] = [];
  const skipped: string[] = [];
  for (const entry of CATALOGUE) {
    if (entry.tfjs) continue;
    if (entry.name === FILE_ENTRY && !models.every((m) => m.network)) continue; // a model file's own initializers: only for model files
    const misfit = shapes.map((shape) => entry.fits?.(shape)).find((why) => why) ?? plans.map((plan) => entry.dataDependent?.unsupported?.(plan.map((p) => p.kind))).find((why) => why);
    if (misfit) skipped.push(`${entry.name}: ${misfit}`);
    else if (!taken.has(entry.name)) specs.push(resolveInit(entry.name, ALL) as InitSpec);
  }
  return { specs, skipped };
}
