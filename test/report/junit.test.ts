import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/check/findings.js';
import type { CheckResult } from '../../src/check/run.js';
import { formatJunit } from '../../src/report/junit.js';
import { cleanResult, finding, resultOf, shopResult } from './results.js';
import { descendants, parseXml } from './xml.js';
import type { XmlElement } from './xml.js';

function junitOf(result: CheckResult, pathPrefix?: string): XmlElement {
  return parseXml(formatJunit(result, pathPrefix == null ? {} : { pathPrefix }));
}

function counts(element: XmlElement): Record<string, number> {
  const { tests, failures, errors, skipped } = element.attributes;
  return {
    tests: Number(tests),
    failures: Number(failures),
    errors: Number(errors),
    skipped: Number(skipped),
  };
}

function suite(root: XmlElement, name: string): XmlElement {
  return root.children.find((child) => child.attributes.name === name)!;
}

describe('junit: structure and counts', () => {
  it('counts errors as failures and warnings as skipped, with every other test passing', () => {
    const result = shopResult();
    const root = junitOf(result);
    const accepted = result.allowed.length + result.suppressed!.length;

    expect(root.name).toBe('testsuites');
    expect(counts(root)).toEqual({
      tests: 1 + result.findings.length + accepted,
      failures: result.summary.errors,
      errors: 0,
      skipped: result.summary.warnings,
    });
    expect(descendants(root, 'failure')).toHaveLength(result.summary.errors);
    expect(descendants(root, 'skipped')).toHaveLength(result.summary.warnings);
  });

  it('has the check suite first, then one suite per rule with findings, in rule order', () => {
    const root = junitOf(shopResult());
    const names = root.children.map((child) => child.attributes.name);

    expect(names).toEqual(['dbboundary', ...Object.keys(RULES)]);
    for (const child of root.children) {
      const cases = child.children.filter((c) => c.name === 'testcase');
      expect(child.name).toBe('testsuite');
      expect(counts(child).tests).toBe(cases.length);
      expect(counts(child).failures).toBe(descendants(child, 'failure').length);
      expect(counts(child).skipped).toBe(descendants(child, 'skipped').length);
    }
  });

  it('makes each error a failure with the location, contexts, message and docs', () => {
    const join = suite(junitOf(shopResult(), 'services/shop'), 'cross-context-join');
    const [first] = join.children;

    expect(first!.attributes).toEqual({
      name: 'src/contexts/orders/backoffice-queries.ts: orders → customers (customers.customers, orders.orders)',
      classname: 'dbboundary.cross-context-join',
      file: 'services/shop/src/contexts/orders/backoffice-queries.ts',
      time: '0',
    });
    const failure = first!.children[0]!;
    expect(failure.name).toBe('failure');
    expect(failure.attributes.type).toBe('cross-context-join');
    expect(failure.attributes.message).toMatch(/^one statement touches tables of orders/);
    expect(failure.text.split('\n').slice(0, 2)).toEqual([
      'services/shop/src/contexts/orders/backoffice-queries.ts:24:13',
      'orders → customers (customers.customers, orders.orders)',
    ]);
    expect(failure.text).toMatch(/See file:\/\/.*\/rules\/cross-context-join\.md$/);
  });

  it('makes each warning a skipped test whose message keeps its line breaks', () => {
    const unmapped = suite(junitOf(shopResult()), 'unmapped-table');
    const skipped = descendants(unmapped, 'skipped');

    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.attributes.message!.split('\n').slice(0, 2)).toEqual([
      'src/contexts/orders/order-service.ts:29:26',
      'orders (public.feature_flags)',
    ]);
  });

  it('passes accepted and silenced findings, saying what accepted them', () => {
    const root = junitOf(shopResult());
    const access = suite(root, 'foreign-table-access').children;
    const reindex = access.filter((c) => c.attributes.file === 'src/contexts/search/reindex.ts');
    const silenced = suite(root, 'unmapped-table').children[1]!;

    expect(reindex.map((c) => c.attributes.name)).toEqual([
      'src/contexts/search/reindex.ts: search → catalog (catalog.products)',
      'src/contexts/search/reindex.ts: search → catalog (catalog.products) #2',
    ]);
    expect(reindex[1]!.children.map((c) => c.name)).toEqual(['system-out']);
    expect(reindex[1]!.children[0]!.text).toContain(
      'src/contexts/search/reindex.ts:31:19: reads catalog.products, owned by catalog.\naccepted by the allow entry search → catalog: The search read model',
    );
    expect(silenced.children[0]!.text).toContain(
      'silenced by the comment on line 39: the migration tool owns this table, not a context',
    );
  });

  it('keeps test names when code above a finding moves', () => {
    const names = (result: CheckResult): string[] =>
      descendants(junitOf(result), 'testcase').map((c) => c.attributes.name!);
    const moved = shopResult();
    for (const item of moved.findings) item.line += 12;

    expect(names(moved)).toEqual(names(shopResult()));
  });

  it('puts the summary and the notices on the check test', () => {
    const check = suite(junitOf(shopResult()), 'dbboundary').children[0]!;

    expect(check.attributes).toMatchObject({ name: 'boundary check', time: '1.234' });
    expect(check.children.map((c) => c.name)).toEqual(['system-out', 'system-err']);
    expect(check.children[0]!.text).toContain('Scanned 42 files');
    expect(check.children[1]!.text.split('\n')).toHaveLength(2);
  });
});

describe('junit: the summary', () => {
  it('counts one of a thing in the singular', () => {
    const result = cleanResult();
    Object.assign(result.summary, { files: 1, statements: 1, sqlStrings: 1, imports: 1 });
    const check = suite(junitOf(result), 'dbboundary').children[0]!;

    expect(check.children[0]!.text).toContain(
      'Scanned 1 file: 1 SQL statement in 1 string, 1 import.',
    );
  });
});

describe('junit: a clean run', () => {
  it('is still a document with one passing test, so CI shows the check ran', () => {
    const root = junitOf(cleanResult());

    expect(counts(root)).toEqual({ tests: 1, failures: 0, errors: 0, skipped: 0 });
    expect(root.children).toHaveLength(1);
    expect(descendants(root, 'testcase').map((c) => c.attributes.name)).toEqual(['boundary check']);
    expect(descendants(root, 'system-err')).toEqual([]);
  });
});

describe('junit: escaping', () => {
  const tricky = finding({
    rule: 'cross-context-import',
    file: `src/a&b/<x>'y".ts`,
    line: 2,
    column: 5,
    context: 'orders',
    targets: ['customers'],
    import: `../c&d/<e>"f'`,
    message: `imports "<&>" it\tshould\r\nnot,\u0001 \u001b[31mred\u001b[0m \uFFFE \uD800 end 😀.`,
  });

  it('writes markup characters as entities and reads back the same text', () => {
    const text = formatJunit(resultOf([tricky]));
    const testcase = descendants(parseXml(text), 'testcase')[1]!;

    expect(testcase.attributes.name).toBe(
      `src/a&b/<x>'y".ts: orders → customers (import "../c&d/<e>"f'")`,
    );
    expect(testcase.attributes.file).toBe(`src/a&b/<x>'y".ts`);
    expect(text).toContain('file="src/a&amp;b/&lt;x&gt;&apos;y&quot;.ts"');
  });

  it('replaces characters XML 1.0 forbids, and keeps tabs and line breaks', () => {
    const failure = descendants(junitOf(resultOf([tricky])), 'failure')[0]!;
    const expected = `imports "<&>" it\tshould\r\nnot,\uFFFD \uFFFD[31mred\uFFFD[0m \uFFFD \uFFFD end 😀.`;

    expect(failure.attributes.message).toBe(expected);
    expect(failure.text.split('\n').slice(2).join('\n')).toContain(expected);
  });

  it('is read by a strict parser that rejects what XML forbids', () => {
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a>\u0001</a>')).toThrow();
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a b="&"/>')).toThrow();
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a><b></a></b>')).toThrow();
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a>x < y</a>')).toThrow();
  });
});
