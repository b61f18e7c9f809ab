import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { RULES, ruleDocs } from '../../src/check/findings.js';
import type { RuleId } from '../../src/check/findings.js';
import type { CheckResult } from '../../src/check/run.js';
import { formatSarif } from '../../src/report/sarif.js';
import { cleanResult, finding, resultOf, shopResult } from './results.js';

const require = createRequire(import.meta.url);

/**
 * The SARIF 2.1.0 schema as @microsoft/jest-sarif ships it (2.1.0-rtm.5, JSON Schema draft-04),
 * brought up to the OASIS errata01 text of the standard: that a region names where it starts,
 * and the corrected language-tag pattern (rtm.5's does not compile as a Unicode regex). The other
 * errata01 changes only add `"type": "string"` next to enums of strings.
 */
function sarifValidator(): (log: unknown) => string[] {
  const file = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as SchemaDefinitions;
  toErrata01(schema);

  // CommonJS modules whose typings name a default export, so under NodeNext it is `.default`.
  // The schema is someone else's: strict mode would object to its style, not to our output.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  const validate = ajv.compile(schema);
  return (log) =>
    validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

type SchemaDefinitions = {
  definitions: Record<string, { properties: Record<string, Record<string, unknown>> } & object>;
};

function toErrata01(schema: SchemaDefinitions): void {
  const { region, run, toolComponent } = schema.definitions;
  Object.assign(region!, {
    anyOf: ['startLine', 'charOffset', 'byteOffset'].map((key) => ({ required: [key] })),
  });
  for (const owner of [run!, toolComponent!]) {
    owner.properties.language!.pattern = '^[a-zA-Z]{2}(-[a-zA-Z]{2})?$';
  }
}

const validate = sarifValidator();

interface SarifLog {
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; rules: SarifRule[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    invocations: Array<{
      executionSuccessful: boolean;
      toolExecutionNotifications: Array<{ level: string; message: { text: string } }>;
    }>;
    results: SarifResult[];
  }>;
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  defaultConfiguration: { level: string };
  helpUri: string;
  help: { text: string; markdown: string };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId: string };
      region: { startLine: number; startColumn: number };
    };
  }>;
  partialFingerprints: Record<string, string>;
  suppressions?: Array<{ kind: string; status: string; justification: string }>;
}

const CONTEXT = { configDir: '/work/shop', toolVersion: '1.4.0' };

function sarifOf(result: CheckResult, context = CONTEXT): SarifLog {
  return JSON.parse(formatSarif(result, context)) as SarifLog;
}

function runOf(result: CheckResult, context = CONTEXT): SarifLog['runs'][number] {
  return sarifOf(result, context).runs[0]!;
}

describe('sarif: validity', () => {
  it('is valid SARIF 2.1.0 for a run with findings of every rule, accepted ones and notices', () => {
    const result = shopResult();
    expect(new Set(result.findings.map((f) => f.rule))).toEqual(new Set(Object.keys(RULES)));

    expect(validate(sarifOf(result))).toEqual([]);
  });

  it('is valid SARIF 2.1.0 for a clean run, with the rules but no results', () => {
    const log = sarifOf(cleanResult());

    expect(validate(log)).toEqual([]);
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]!.results).toEqual([]);
    expect(log.runs[0]!.tool.driver.rules).toHaveLength(Object.keys(RULES).length);
  });

  it('stays valid with file names that need encoding in a URI', () => {
    const odd = finding({
      rule: 'unparsed-file',
      file: 'src/app/[id]/page #2 100%.tsx',
      line: 1,
      column: 1,
      message: 'not checked.',
    });
    const log = sarifOf(resultOf([odd]));
    const uri = log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri;

    expect(validate(log)).toEqual([]);
    expect(uri).toBe('src/app/%5Bid%5D/page%20%232%20100%25.tsx');
    expect(decodeURIComponent(uri)).toBe(odd.file);
  });

  it('fails the validator on a broken log, so the checks above mean something', () => {
    const log = sarifOf(shopResult()) as unknown as { runs: Array<{ results: unknown[] }> };
    (log.runs[0]!.results[0] as { level: string }).level = 'fatal';
    delete (log.runs[0]!.results[1] as { locations: unknown[] }).locations[0];

    expect(validate(log).length).toBeGreaterThan(0);
  });
});

describe('sarif: tool and rules', () => {
  it('names the tool and describes every rule, with its docs page and default level', () => {
    const driver = runOf(shopResult()).tool.driver;

    expect(driver).toMatchObject({ name: 'dbboundary', version: '1.4.0' });
    expect(driver).not.toHaveProperty('informationUri');
    expect(driver.rules.map((rule) => rule.id)).toEqual(Object.keys(RULES));
    for (const rule of driver.rules) {
      const meta = RULES[rule.id as RuleId];
      expect(rule.shortDescription.text).toBe(meta.summary);
      expect(rule.fullDescription.text.startsWith(meta.summary)).toBe(true);
      expect(rule.defaultConfiguration.level).toBe(meta.severity);
      expect(rule.helpUri).toBe(ruleDocs(meta.id));
      expect(rule.help.markdown).toContain(`](${ruleDocs(meta.id)})`);
      expect(rule.help.text).toContain(ruleDocs(meta.id));
    }
  });

  it('gives rules readable names apart from their ids', () => {
    const rules = runOf(cleanResult()).tool.driver.rules;

    expect(rules.find((rule) => rule.id === 'cross-context-join')!.name).toBe('CrossContextJoin');
    expect(rules.find((rule) => rule.id === 'unmapped-table')!.name).toBe('UnmappedTable');
  });
});

describe('sarif: results', () => {
  it('reports each finding at its file, line and column under %SRCROOT%', () => {
    const run = runOf(shopResult());
    const join = run.results.find((r) => r.ruleId === 'cross-context-join')!;

    expect(join.level).toBe('error');
    expect(join.locations).toEqual([
      {
        physicalLocation: {
          artifactLocation: {
            uri: 'src/contexts/orders/backoffice-queries.ts',
            uriBaseId: '%SRCROOT%',
          },
          region: { startLine: 24, startColumn: 13 },
        },
      },
    ]);
    expect(join.message.text).toBe(
      'orders → customers (customers.customers, orders.orders): one statement touches tables of orders (orders.orders) and customers (customers.customers); it cannot run once each context has its own database.',
    );
    expect(run.originalUriBaseIds['%SRCROOT%']!.uri).toBe('file:///work/shop/');
  });

  it('points ruleIndex at the rule of the same id, and keeps warnings as warnings', () => {
    const run = runOf(shopResult());

    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
      expect(result.level).toBe(RULES[result.ruleId as RuleId].severity);
    }
    expect(run.results.find((r) => r.ruleId === 'unmapped-table')!.level).toBe('warning');
  });

  it('names the import for cross-context-import', () => {
    const run = runOf(shopResult());
    const imports = run.results.filter((r) => r.ruleId === 'cross-context-import');

    expect(imports.map((r) => r.message.text)).toContain(
      'customers → orders (import "../orders/domain/order-status"): imports src/contexts/orders/domain/order-status.ts, which orders does not make public; import from its public API instead.',
    );
  });

  it('makes paths relative to the repository top when the config sits in a subfolder', () => {
    const context = {
      configDir: '/repo/services/shop',
      toolVersion: '1.4.0',
      pathPrefix: 'services/shop',
    };
    const run = runOf(shopResult(), context);
    const uris = run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);

    expect(uris).toContain('services/shop/src/contexts/orders/backoffice-queries.ts');
    expect(uris.every((uri) => uri.startsWith('services/shop/src/'))).toBe(true);
    expect(run.originalUriBaseIds['%SRCROOT%']!.uri).toBe('file:///repo/');
  });

  it('lists findings accepted by allow entries as results suppressed externally, with the reason', () => {
    const run = runOf(shopResult());
    const external = run.results.filter((r) => r.suppressions?.[0]?.kind === 'external');

    expect(external.map((r) => r.locations[0]!.physicalLocation.region.startLine)).toEqual([
      14, 31,
    ]);
    expect(external[0]!.suppressions).toEqual([
      expect.objectContaining({
        kind: 'external',
        status: 'accepted',
        justification:
          'The search read model rebuilds from catalog tables until catalog publishes events.',
      }),
    ]);
  });

  it('lists findings silenced by a comment as suppressed in source, at the comment', () => {
    const run = runOf(shopResult());
    const inSource = run.results.filter((r) => r.suppressions?.[0]?.kind === 'inSource');

    expect(inSource).toHaveLength(1);
    expect(inSource[0]!.locations[0]!.physicalLocation.region).toEqual({
      startLine: 40,
      startColumn: 22,
    });
    expect(inSource[0]!.suppressions).toEqual([
      {
        kind: 'inSource',
        status: 'accepted',
        justification: 'the migration tool owns this table, not a context',
        location: {
          physicalLocation: {
            artifactLocation: {
              uri: 'src/contexts/catalog/maintenance.ts',
              uriBaseId: '%SRCROOT%',
            },
            region: { startLine: 39, startColumn: 1 },
          },
        },
      },
    ]);
  });

  it('leaves the open findings unsuppressed', () => {
    const result = shopResult();
    const open = runOf(result).results.filter((r) => r.suppressions == null);

    expect(open).toHaveLength(result.findings.length);
  });

  it('passes the notices on as tool notifications of a successful run', () => {
    const invocation = runOf(shopResult()).invocations[0]!;

    expect(invocation.executionSuccessful).toBe(true);
    expect(invocation.toolExecutionNotifications.map((n) => n.message.text)).toEqual(
      shopResult().notices,
    );
    expect(invocation.toolExecutionNotifications.every((n) => n.level === 'warning')).toBe(true);
  });
});

describe('sarif: fingerprints', () => {
  const fingerprints = (result: CheckResult): string[] =>
    runOf(result).results.map((r) => r.partialFingerprints['dbboundary/v1']!);

  it('keeps each fingerprint when code above a finding moves it down', () => {
    const before = shopResult();
    const after = shopResult();
    for (const item of [...after.findings, ...after.allowed]) item.line += 7;

    expect(fingerprints(after)).toEqual(fingerprints(before));
  });

  it('gives every result its own fingerprint, identical findings in one file included', () => {
    const result = shopResult();
    const all = fingerprints(result);
    const accepted = all.slice(result.findings.length, result.findings.length + 2);

    expect(new Set(all).size).toBe(all.length);
    expect(accepted[0]).not.toBe(accepted[1]);
  });

  it('changes when what the finding is about changes', () => {
    const before = shopResult();
    const after = shopResult();
    after.findings[3]!.tables = ['orders.order_lines'];

    expect(fingerprints(after)[3]).not.toBe(fingerprints(before)[3]);
    expect(fingerprints(after)[2]).toBe(fingerprints(before)[2]);
  });
});
