import type { ChalkInstance } from 'chalk';
import type { CheckResult } from '../check/run.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';

export { repositoryPrefix } from './github.js';

export const FORMATS = ['text', 'json', 'sarif', 'github', 'junit'] as const;

export type FormatName = (typeof FORMATS)[number];

export interface ReportContext {
  colors: ChalkInstance;
  /** The config file's folder, absolute. */
  configDir: string;
  toolVersion: string;
  /**
   * The config's folder inside its git repository, with `/` ('' at its top or outside git), so
   * that sarif, github and junit name files as the repository does. The command line gets it
   * from repositoryPrefix(configDir); without it, paths stay relative to the config's folder.
   */
  pathPrefix?: string;
}

/** Every report is a pure function of the result: the caller decides where the text goes. */
export function formatReport(
  name: FormatName,
  result: CheckResult,
  context: ReportContext,
): string {
  switch (name) {
    case 'text':
      return formatText(result, context.colors);
    case 'json':
      return formatJson(result);
    case 'sarif':
      return formatSarif(result, context);
    case 'github':
      return formatGithub(result, context);
    case 'junit':
      return formatJunit(result, context);
  }
}

export function isFormatName(name: string): name is FormatName {
  return (FORMATS as readonly string[]).includes(name);
}
