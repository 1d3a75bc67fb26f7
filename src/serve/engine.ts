/**
 * The engine `serve` drives: the programmatic API (src/api.ts), and nothing else of init-bench's
 * internals. Everything in src/serve goes through this module.
 */
export { ConfigError, UserError, describeHolder, loadResults, lockHolder, resolveConfig, resumeExperiment, runExperiment } from '../api.js';
export type { ConfigInput, EpochMetrics, ExperimentConfig, InitSummary, ResultsDocument, RunEvent, TrialResult } from '../api.js';
