/**
 * The output folder of a split: the plan as Sqitch-shaped scripts (deploy/, revert/, verify/, in
 * the order plan.json lists), one DDL file per context, and the report. --apply and --revert read
 * the scripts back from the folder, so edits made to them after review are what runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Plan, PlanStep } from './plan.js';

export const PLAN_FILE = 'plan.json';
const SCRIPT_KINDS = ['deploy', 'revert', 'verify'] as const;

interface PlanIndex {
  version: 1;
  steps: { id: string; title: string }[];
}

/** Whether a step of plan.json moves a table (its id is `<n>-move-<table>`). */
export function isMoveStep(id: string): boolean {
  return /^\d+-move-/.test(id);
}

/** Every file of the output folder, by path relative to it. */
export function planFiles(plan: Plan): Map<string, string> {
  const index: PlanIndex = {
    version: 1,
    steps: plan.steps.map((step) => ({ id: step.id, title: step.title })),
  };
  const files = new Map<string, string>([[PLAN_FILE, `${JSON.stringify(index, null, 2)}\n`]]);
  for (const step of plan.steps) {
    for (const kind of SCRIPT_KINDS) files.set(`${kind}/${step.id}.sql`, step[kind]);
  }
  return files;
}

/** Reads a plan written by planFiles; a missing or damaged file is a one-line error naming it. */
export function readPlan(dir: string, shown: string = dir): Plan {
  const indexFile = path.join(dir, PLAN_FILE);
  if (!existsSync(indexFile)) {
    throw new UserError(
      `${path.join(shown, PLAN_FILE)}: no plan there; run dbboundary split --out ${shown} first, then --apply or --revert with the same --out.`,
    );
  }
  const index = parseIndex(indexFile, path.join(shown, PLAN_FILE));
  const steps: PlanStep[] = index.steps.map((step) => ({
    id: step.id,
    title: step.title,
    deploy: readScript(dir, shown, 'deploy', step.id),
    revert: readScript(dir, shown, 'revert', step.id),
    verify: readScript(dir, shown, 'verify', step.id),
  }));
  return { version: 1, steps };
}

function parseIndex(file: string, shown: string): PlanIndex {
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UserError(
      `${shown}: not a readable plan (${reason}); write it again with dbboundary split.`,
    );
  }
  const steps = (index as Partial<PlanIndex> | null)?.steps;
  const valid =
    Array.isArray(steps) &&
    steps.every(
      (s) => typeof s?.id === 'string' && /^[\w.-]+$/.test(s.id) && typeof s.title === 'string',
    );
  if (!valid) {
    throw new UserError(
      `${shown}: "steps" must list {"id", "title"} objects; write it again with dbboundary split.`,
    );
  }
  return index as PlanIndex;
}

function readScript(dir: string, shown: string, kind: string, id: string): string {
  try {
    return readFileSync(path.join(dir, kind, `${id}.sql`), 'utf8');
  } catch {
    throw new UserError(
      `${path.join(shown, kind, `${id}.sql`)}: missing; plan.json lists step ${id}. Write the plan again with dbboundary split.`,
    );
  }
}
