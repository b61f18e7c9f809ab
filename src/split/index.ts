/** The split, from a context map and a shared schema to the files of the output folder. */
import { findConfigFile, loadConfig } from '../config/load.js';
import { displayPath } from '../config/read.js';
import type { ContextMap } from '../config/types.js';
import { ConfigError } from '../errors.js';
import { findCouplings } from './couplings/index.js';
import { renderContextDdl } from './ddl.js';
import { findExternalReferences } from './external.js';
import type { SchemaModel } from './model.js';
import { placeTables, schemaNameProblem } from './placement.js';
import { buildPlan } from './plan.js';
import type { Plan } from './plan.js';
import { planFiles } from './plan-files.js';
import { buildReport, formatReportJson, formatReportMarkdown } from './report.js';
import type { SplitReport } from './report.js';

export interface SplitResult {
  plan: Plan;
  report: SplitReport;
  /** Every file of the output folder, by path relative to it. */
  files: Map<string, string>;
}

/** The context map for a split: found as check finds it, and written for PostgreSQL. */
export function loadSplitConfig(config: string | undefined, cwd: string): ContextMap {
  const file = findConfigFile(config, cwd);
  const { map, problems } = loadConfig(file);
  if (problems.length > 0) throw new ConfigError(problems);
  if (map.dialect !== 'postgresql') {
    throw new ConfigError([
      {
        file: displayPath(file),
        line: null,
        message: `dialect is ${map.dialect}; split works on PostgreSQL schemas only. Set dialect: postgresql.`,
      },
    ]);
  }
  const problem = schemaNameProblem(map.contexts.map((context) => context.name));
  if (problem) throw new ConfigError([{ file: displayPath(file), line: null, message: problem }]);
  return map;
}

/** Plans the split of `model`: pure, so a live catalog and a dump give the same files. */
export function planSplit(model: SchemaModel, map: ContextMap, source: string): SplitResult {
  const placement = placeTables(model, map);
  const couplings = findCouplings(model, placement);
  const plan = buildPlan(model, placement);
  const external = findExternalReferences(model, placement);
  const report = buildReport(source, model, placement, couplings, plan, external);

  const files = planFiles(plan);
  for (const [context, ddl] of renderContextDdl(model, placement, source)) {
    files.set(`contexts/${context}.sql`, ddl);
  }
  files.set('report.json', formatReportJson(report));
  files.set('report.md', formatReportMarkdown(report));
  return { plan, report, files };
}
