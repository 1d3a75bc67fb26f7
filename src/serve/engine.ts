/**
 * The engine `serve` drives: the programmatic API (src/api.ts). src/serve reaches init-bench's
 * core through this module only; the one other import is the report's stylesheet (page-css.ts),
 * which the page shares with report.html.
 */
export { ConfigError, UserError, describeConfig, describeHolder, describeInitializers, loadResults, lockHolder, resolveConfig, resumeExperiment, runExperiment } from '../api.js';
export type { ConfigField, ConfigInput, EpochMetrics, ExperimentConfig, InitSummary, InitializerDoc, ParameterDoc, ResultsDocument, RunEvent, TrialResult } from '../api.js';
