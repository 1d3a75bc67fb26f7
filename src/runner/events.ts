/**
 * What a run tells as it goes (the CLI's progress, the live page, a script's callback). Plain
 * data over the results document's types, so the API's declarations stand alone.
 */
import type { PointValues } from '../results/point.js';
import type { EpochMetrics, InitSummary, TrialResult } from '../results/schema.js';

/** Why a run stopped before its end: a signal, or the first failed trial under failFast; null when it ran to its end. */
export type Stopped = null | 'interrupted' | 'failFast';

/** What a run tells as it goes (the CLI's progress, the live page, a script's callback). */
export type RunEvent =
  | { type: 'start'; total: number; toRun: number; finished: number; jobs: number; threads: number; out?: string }
  | { type: 'backend'; backend: string; hint?: string | null }
  | { type: 'trialStart'; index: number; total: number; init: string; seed: number; point?: PointValues }
  | { type: 'epoch'; index: number; total: number; init: string; seed: number; point?: PointValues; epochs: number; metrics: EpochMetrics }
  | { type: 'retry'; index: number; total: number; error: string; attempt: number; retries: number }
  | { type: 'trialEnd'; index: number; total: number; trial: TrialResult; summary: InitSummary[] }
  | { type: 'end'; complete: boolean; stopped: Stopped };

