/**
 * Shards: `--shard i/n` (1-based) runs the trials whose position k (0-based, in the experiment's
 * stable order) has k mod n = i - 1. `--shard auto/n` (or `auto` under SLURM) takes i from the
 * array job's environment: Kubernetes Indexed Jobs set JOB_COMPLETION_INDEX (0-based); SLURM sets
 * SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_MIN, _MAX, _STEP and _COUNT (sbatch(1), "OUTPUT
 * ENVIRONMENT VARIABLES"), so task ID is shard (ID - MIN) / STEP + 1 of COUNT.
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
      const slurm = slurmIndex(env);
      index = slurm.index;
      count ??= slurm.count;
      source = slurm.source;
    } else {
      throw new UserError('--shard auto: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (SLURM array) is set; give --shard i/n');
    }
  } else index = Number(m[1]);
  if (count === undefined) throw new UserError(`--shard ${text}: the number of shards is missing (e.g. ${m[1]}/16)`);
  if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 1 || index > count) {
    if (source !== 'command line' && Number.isInteger(index) && Number.isInteger(count) && index > count) {
      throw new UserError(`--shard ${text}: ${source} makes this shard ${index}, but there are only ${count} shards; run ${count} tasks (numbered from 0) or give --shard auto/${index} or more`);
    }
    throw new UserError(`--shard ${text}: shard ${index} of ${count} does not exist (shards are numbered 1 to ${count})`);
  }
  return { index, count, source };
}

/**
 * A SLURM array task's shard. Ranges (`--array=0-15`) and ranges with a step (`--array=0-6:2`)
 * number their tasks evenly; a list with gaps (`--array=1,3,5,7`) does not, and a shard folder per
 * listed ID would leave shards unrun, so it is refused. Whatever SLURM sets as the step of a list,
 * its MIN, MAX and COUNT then disagree with MIN + STEP * (COUNT - 1) = MAX.
 */
function slurmIndex(env: NodeJS.ProcessEnv): { index: number; count: number | undefined; source: string } {
  const id = Number(env.SLURM_ARRAY_TASK_ID);
  const min = Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
  const step = Number(env.SLURM_ARRAY_TASK_STEP ?? 1);
  const count = env.SLURM_ARRAY_TASK_COUNT === undefined ? undefined : Number(env.SLURM_ARRAY_TASK_COUNT);
  const max = env.SLURM_ARRAY_TASK_MAX === undefined ? undefined : Number(env.SLURM_ARRAY_TASK_MAX);
  const source = [
    `SLURM_ARRAY_TASK_ID=${env.SLURM_ARRAY_TASK_ID}`,
    ...(env.SLURM_ARRAY_TASK_MIN ? [`SLURM_ARRAY_TASK_MIN=${env.SLURM_ARRAY_TASK_MIN}`] : []),
    ...(env.SLURM_ARRAY_TASK_STEP ? [`SLURM_ARRAY_TASK_STEP=${env.SLURM_ARRAY_TASK_STEP}`] : []),
  ].join(', ');
  const even = step >= 1 && (id - min) % step === 0 && (max === undefined || count === undefined || min + step * (count - 1) === max);
  if (!even) {
    const n = count ?? '<n>';
    throw new UserError(
      `--shard auto: this SLURM array has gaps (IDs ${min} to ${max ?? '?'}, ${n} tasks, ${source}), so its task IDs cannot number the shards; ` +
        `submit a range instead, e.g. --array=0-${count === undefined ? '<n-1>' : count - 1} (or with a step, e.g. --array=1-7:2), or give --shard i/${n} per task`,
    );
  }
  return { index: (id - min) / step + 1, count, source };
}

export function inShard<T extends { index: number }>(tasks: T[], shard: Pick<Shard, 'index' | 'count'> | null): T[] {
  return shard ? tasks.filter((t) => t.index % shard.count === shard.index - 1) : tasks;
}

/** How many of `total` trials fall in a shard (positions k < total with k mod n = i - 1). */
export function shardSize(total: number, shard: Pick<Shard, 'index' | 'count'>): number {
  return total >= shard.index ? Math.floor((total - shard.index) / shard.count) + 1 : 0;
}

/**
 * What a shard beyond the experiment's last trial says: such a shard is not a mistake (an array
 * job sized for a bigger grid), so it exits 0, writes no folder, and `merge` of the others is whole.
 */
export function emptyShardLine(total: number, shard: Pick<Shard, 'index' | 'count'>): string {
  return `shard ${shard.index}/${shard.count} holds no trial: this experiment has ${total} trial${total === 1 ? '' : 's'}, so only shards 1 to ${Math.min(total, shard.count)} hold any; nothing to run, no folder written`;
}
