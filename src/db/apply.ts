/**
 * Runs a split plan against a database: the only code of the split that writes. Each step runs in
 * its own transaction together with its verify script, so a step is either applied and verified or
 * not applied at all.
 */
import type pg from 'pg';
import type { Plan, PlanStep } from '../split/plan.js';
import { connect, failure } from './introspect.js';
import { assertPostgresUrl, describeTarget, resolveDatabaseUrl, scrubSecrets } from './url.js';

export type StepStatus = 'applied' | 'already applied' | 'reverted' | 'not applied';

export interface StepOutcome {
  id: string;
  title: string;
  status: StepStatus;
}

export interface RunResult {
  outcomes: StepOutcome[];
  /** The step that failed and why, or null when every step went through. */
  failed: { id: string; title: string; reason: string } | null;
}

/** lock_not_available: the step's lock_timeout ran out. */
const LOCK_TIMEOUT_CODE = '55P03';
const ATTEMPTS = 3;
const RETRY_PAUSE_MS = 1_000;

/**
 * Deploys each step not yet applied (its verify script fails), verifying it in the same
 * transaction; stops at the first step that fails. A step that times out on a lock is tried again.
 */
export async function applyPlan(
  url: string,
  plan: Plan,
  progress: (outcome: StepOutcome) => void = () => undefined,
): Promise<RunResult> {
  return withDatabase(url, async (client, resolved) => {
    const outcomes: StepOutcome[] = [];
    for (const step of plan.steps) {
      if (await verifies(client, step)) {
        outcomes.push(report(step, 'already applied', progress));
        continue;
      }
      const error = await runWithRetries(client, [step.deploy, step.verify]);
      if (error) return { outcomes, failed: describeFailure(step, error, resolved) };
      outcomes.push(report(step, 'applied', progress));
    }
    return { outcomes, failed: null };
  });
}

/** Reverts, last step first, each step whose verify script passes; stops at the first failure. */
export async function revertPlan(
  url: string,
  plan: Plan,
  progress: (outcome: StepOutcome) => void = () => undefined,
): Promise<RunResult> {
  return withDatabase(url, async (client, resolved) => {
    const outcomes: StepOutcome[] = [];
    for (const step of [...plan.steps].reverse()) {
      if (!(await verifies(client, step))) {
        outcomes.push(report(step, 'not applied', progress));
        continue;
      }
      const error = await runWithRetries(client, [step.revert]);
      if (error) return { outcomes, failed: describeFailure(step, error, resolved) };
      outcomes.push(report(step, 'reverted', progress));
    }
    return { outcomes, failed: null };
  });
}

async function withDatabase<T>(
  url: string,
  run: (client: pg.Client, resolved: string) => Promise<T>,
): Promise<T> {
  const resolved = resolveDatabaseUrl(url);
  assertPostgresUrl(resolved);
  const client = await connect(resolved);
  try {
    return await run(client, resolved);
  } catch (error) {
    throw failure(error, resolved, `cannot run the plan on ${describeTarget(resolved)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs the verify script in a transaction that is always rolled back. */
async function verifies(client: pg.Client, step: PlanStep): Promise<boolean> {
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(step.verify);
    return true;
  } catch {
    return false;
  } finally {
    await client.query('ROLLBACK');
  }
}

async function runWithRetries(client: pg.Client, scripts: string[]): Promise<Error | null> {
  for (let attempt = 1; ; attempt++) {
    const error = await runInTransaction(client, scripts);
    const lockTimeout = (error as { code?: string } | null)?.code === LOCK_TIMEOUT_CODE;
    if (!error || !lockTimeout || attempt === ATTEMPTS) return error;
    await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * attempt));
  }
}

async function runInTransaction(client: pg.Client, scripts: string[]): Promise<Error | null> {
  await client.query('BEGIN');
  try {
    for (const script of scripts) await client.query(script);
    await client.query('COMMIT');
    return null;
  } catch (error) {
    await client.query('ROLLBACK');
    if (error instanceof Error && 'severity' in error) return error;
    throw error;
  }
}

function describeFailure(
  step: PlanStep,
  error: Error,
  url: string,
): { id: string; title: string; reason: string } {
  const reason = scrubSecrets(error.message.split('\n')[0]!.trim(), url);
  const timedOut = (error as { code?: string }).code === LOCK_TIMEOUT_CODE;
  return {
    id: step.id,
    title: step.title,
    reason: timedOut ? `${reason} (after ${ATTEMPTS} tries; another session holds a lock)` : reason,
  };
}

function report(
  step: PlanStep,
  status: StepStatus,
  progress: (o: StepOutcome) => void,
): StepOutcome {
  const outcome = { id: step.id, title: step.title, status };
  progress(outcome);
  return outcome;
}
