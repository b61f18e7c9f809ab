import { Command, Option } from 'commander';
import { runCheck } from '../check/run.js';
import { GRAPH_FORMATS, buildCouplingGraph, formatGraph } from '../graph/index.js';
import type { GraphFormat } from '../graph/index.js';
import { EXIT_CLEAN, writeStdout, addScanOptions, scanSettings } from './shared.js';
import type { ScanFlags } from './shared.js';

interface GraphFlags extends ScanFlags {
  config?: string;
  format: GraphFormat;
}

export function graphCommand(done: (code: number) => void): Command {
  return addScanOptions(
    new Command('graph')
      .description(
        'Draw the contexts and how their code couples them (joins, reads, writes, imports).',
      )
      .option('-c, --config <file>', 'context map (default: dbboundary.yaml in the working folder)')
      .addOption(
        new Option('-f, --format <format>', 'picture format')
          .choices([...GRAPH_FORMATS])
          .default('mermaid'),
      )
      .addHelpText(
        'after',
        '\nExit code 0 whatever the findings: the picture is not a verdict; check is.',
      )
      .action(async (flags: GraphFlags) => done(await graph(flags))),
  );
}

async function graph(flags: GraphFlags): Promise<number> {
  const result = await runCheck({
    config: flags.config,
    cwd: process.cwd(),
    ...scanSettings(flags, process.env),
  });
  await writeStdout(formatGraph(buildCouplingGraph(result), flags.format));
  return EXIT_CLEAN;
}
