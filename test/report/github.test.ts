import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  escapeData,
  escapeProperty,
  formatGithub,
  repositoryPrefix,
} from '../../src/report/github.js';
import { makeTree } from '../helpers/tempdir.js';
import { cleanResult, finding, resultOf, shopResult } from './results.js';

function linesOf(text: string): string[] {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe('github: annotations', () => {
  it('writes one annotation per finding, then the notices, then a summary', () => {
    const result = shopResult();
    const lines = linesOf(formatGithub(result));

    expect(lines).toHaveLength(result.findings.length + result.notices.length + 1);
    expect(lines[4]).toBe(
      '::error file=src/contexts/orders/backoffice-queries.ts,line=24,col=13,title=cross-context-join::orders → customers (customers.customers, orders.orders): one statement touches tables of orders (orders.orders) and customers (customers.customers); it cannot run once each context has its own database.',
    );
    expect(lines[0]).toBe(
      '::error file=src/contexts/catalog/admin/price-admin.ts,line=51,col=43,title=cross-context-import::catalog → search (import "../../search/reindex"): imports src/contexts/search/reindex.ts, which search does not make public; import from its public API instead.',
    );
    expect(lines[6]).toBe(
      '::warning file=src/contexts/orders/order-service.ts,line=29,col=26,title=unmapped-table::orders (public.feature_flags): public.feature_flags is owned by no context; add it to the tables of the context that owns it.',
    );
    expect(lines[8]).toBe(
      '::error file=src/jobs/nightly-revenue-report.ts,line=33,col=28,title=cross-context-join::(no context) → customers, orders (customers.customers, orders.orders): one statement touches tables of orders (orders.orders) and customers (customers.customers); it cannot run once each context has its own database.',
    );
  });

  it('ends with the notices as warnings and a summary that counts accepted findings', () => {
    const result = shopResult();
    const lines = linesOf(formatGithub(result));
    const errors = result.summary.errors;
    const warnings = result.summary.warnings;

    expect(lines.slice(-3)).toEqual([
      `::warning::dbboundary: ${result.notices[0]}`,
      `::warning::dbboundary: ${result.notices[1]}`,
      `::notice::dbboundary: ${errors} errors, ${warnings} warnings, 2 accepted by allow entries, 1 silenced by comments; 42 files checked.`,
    ]);
  });

  it('does not annotate findings accepted by allow entries or silenced by comments', () => {
    const text = formatGithub(shopResult());

    expect(text).not.toContain('file=src/contexts/search/reindex.ts');
    expect(text).not.toContain('file=src/contexts/catalog/maintenance.ts');
  });

  it('prints only the summary for a clean run', () => {
    expect(formatGithub(cleanResult())).toBe(
      '::notice::dbboundary: 0 errors, 0 warnings; 42 files checked.\n',
    );
  });

  it('names files from the repository top when the config sits in a subfolder', () => {
    const lines = linesOf(formatGithub(shopResult(), { pathPrefix: 'services/shop' }));

    expect(lines[4]).toMatch(
      /^::error file=services\/shop\/src\/contexts\/orders\/backoffice-queries\.ts,line=24,/,
    );
  });
});

describe('github: escaping', () => {
  it('escapes %, carriage returns and line feeds in the message', () => {
    expect(escapeData('100% sure\r\nnext: a, b')).toBe('100%25 sure%0D%0Anext: a, b');
  });

  it('escapes colons and commas in properties as well', () => {
    expect(escapeProperty('C:\\dir,with %\n')).toBe('C%3A\\dir%2Cwith %25%0A');
  });

  it('keeps an odd file name and a multi-line message inside one command', () => {
    const odd = finding({
      rule: 'unparsed-sql',
      file: 'src/a,b:c 100%.ts',
      line: 3,
      column: 9,
      context: 'orders',
      message: 'the parser rejects this SQL: syntax error\nat or near "%"',
    });
    const [line] = linesOf(formatGithub(resultOf([odd])));

    expect(line).toBe(
      '::warning file=src/a%2Cb%3Ac 100%25.ts,line=3,col=9,title=unparsed-sql::orders: the parser rejects this SQL: syntax error%0Aat or near "%25"',
    );
  });

  it('escapes notices too', () => {
    const lines = linesOf(formatGithub(resultOf([], [], ['line one\nline two at 50%'])));

    expect(lines[0]).toBe('::warning::dbboundary: line one%0Aline two at 50%25');
  });
});

describe('github: repositoryPrefix', () => {
  const ceiling = process.env.GIT_CEILING_DIRECTORIES;
  afterEach(() => {
    if (ceiling === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
    else process.env.GIT_CEILING_DIRECTORIES = ceiling;
  });

  it('gives the config folder relative to the top of its git work tree', () => {
    const root = makeTree({ 'services/shop/dbboundary.yaml': 'version: 1\n' });
    execFileSync('git', ['init', '-q'], { cwd: root });

    expect(repositoryPrefix(path.join(root, 'services/shop'))).toBe('services/shop');
    expect(repositoryPrefix(root)).toBe('');
  });

  it('gives an empty prefix outside git or for a folder that does not exist', () => {
    const root = makeTree({ 'dbboundary.yaml': 'version: 1\n' });
    mkdirSync(path.join(root, 'sub'));
    process.env.GIT_CEILING_DIRECTORIES = path.dirname(root);

    expect(repositoryPrefix(path.join(root, 'sub'))).toBe('');
    expect(repositoryPrefix(path.join(tmpdir(), 'dbboundary-no-such-folder'))).toBe('');
  });
});
