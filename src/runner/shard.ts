/**
 * Shards: `--shard i/n` (1-based) runs the trials whose position k (0-based, in the experiment's
 * stable order) has k mod n = i - 1. `--shard auto/n` (or `auto` under SLURM) takes i from the
 * array job's environment: Kubernetes Indexed Jobs set JOB_COMPLETION_INDEX (0-based); SLURM sets
 * SLURM_ARRAY_TASK_ID (counted from SLURM_ARRAY_TASK_MIN) and SLURM_ARRAY_TASK_COUNT.
 */
import { UserError } from '../errors.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
  /** Where the index came from, e.g. "JOB_COMPLETION_INDEX=2". */
  source: string;
}

export function parseShard(text: string, env: NodeJS.ProcessEnv = process.env): Shard {
  const m = /^(auto|\d+)(?:\/(\d+))?$/.exec(text.trim());
  if (!m) throw new UserError(`--shard ${text}: expected i/n (e.g. 3/16, 1-based) or auto/n`);
  let count = m[2] === undefined ? undefined : Number(m[2]);
  let index: number;
  let source = 'command line';
  if (m[1] === 'auto') {
    if (env.JOB_COMPLETION_INDEX !== undefined) {
      index = Number(env.JOB_COMPLETION_INDEX) + 1;
      source = `JOB_COMPLETION_INDEX=${env.JOB_COMPLETION_INDEX}`;
    } else if (env.SLURM_ARRAY_TASK_ID !== undefined) {
      index = Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0) + 1;
      count ??= env.SLURM_ARRAY_TASK_COUNT === undefined ? undefined : Number(env.SLURM_ARRAY_TASK_COUNT);
      source = `SLURM_ARRAY_TASK_ID=${env.SLURM_ARRAY_TASK_ID}${env.SLURM_ARRAY_TASK_MIN ? ` - SLURM_ARRAY_TASK_MIN=${env.SLURM_ARRAY_TASK_MIN}` : ''}`;
    } else {
      throw new UserError('--shard auto: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (SLURM array) is set; give --shard i/n');
    }
  } else index = Number(m[1]);
  if (count === undefined) throw new UserError(`--shard ${text}: the number of shards is missing (e.g. ${m[1]}/16)`);
  if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 1 || index > count) {
    throw new UserError(`--shard ${text}: shard ${index} of ${count} does not exist (shards are numbered 1 to ${count})`);
  }
  return { index, count, source };
}

export function inShard<T extends { index: number }>(tasks: T[], shard: Pick<Shard, 'index' | 'count'> | null): T[] {
  return shard ? tasks.filter((t) => t.index % shard.count === shard.index - 1) : tasks;
}
