import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { FORMATS, formatReport, isFormatName } from '../../src/report/index.js';
import { formatJson } from '../../src/report/json.js';
import { formatText } from '../../src/report/text.js';
import { shopResult } from './results.js';
import { parseXml } from './xml.js';

const colors = new Chalk({ level: 0 });
const context = { colors, configDir: '/work/shop', toolVersion: '0.1.0' };

describe('formatReport', () => {
  it('offers the five formats', () => {
    expect(FORMATS).toEqual(['text', 'json', 'sarif', 'github', 'junit']);
    expect(isFormatName('sarif')).toBe(true);
    expect(isFormatName('xml')).toBe(false);
  });

  it('gives text and json exactly as their own reporters do', () => {
    const result = shopResult();

    expect(formatReport('text', result, context)).toBe(formatText(result, colors));
    expect(formatReport('json', result, context)).toBe(formatJson(result));
  });

  it('gives each new format in its own shape, ending with a line break', () => {
    const result = shopResult();
    const sarif = JSON.parse(formatReport('sarif', result, context)) as { version: string };

    expect(sarif.version).toBe('2.1.0');
    expect(formatReport('github', result, context)).toMatch(/^::error file=.*\n::notice::.*\n$/s);
    expect(parseXml(formatReport('junit', result, context)).name).toBe('testsuites');
    for (const name of FORMATS) expect(formatReport(name, result, context)).toMatch(/\n$/);
  });

  it('passes the repository prefix on to the formats that name files for the repository', () => {
    const result = shopResult();
    const inRepo = { ...context, pathPrefix: 'services/shop' };

    expect(formatReport('github', result, inRepo)).toContain('file=services/shop/src/');
    expect(formatReport('sarif', result, inRepo)).toContain('"uri": "services/shop/src/');
    expect(formatReport('junit', result, inRepo)).toContain('file="services/shop/src/');
    expect(formatReport('json', result, inRepo)).toBe(formatJson(result));
  });
});

describe('text and junit: counts', () => {
  const junitSummary = (result: ReturnType<typeof shopResult>): string =>
    parseXml(formatReport('junit', result, context)).children[0]!.children[0]!.children[0]!.text;

  it('counts statements of .sql files apart from strings in code', () => {
    const result = shopResult();
    Object.assign(result.summary, {
      files: 20,
      sqlStrings: 15,
      statements: 17,
      sqlFiles: 3,
      sqlFileStatements: 3,
    });
    expect(formatText(result, colors)).toContain(
      ': 17 SQL statements in 12 strings and 3 .sql files, 1 not parsed;',
    );
    expect(junitSummary(result)).toContain('17 SQL statements in 12 strings and 3 .sql files,');
  });

  it('names only .sql files when no string in code holds SQL', () => {
    const result = shopResult();
    Object.assign(result.summary, {
      sqlStrings: 1,
      statements: 1,
      sqlFiles: 1,
      sqlFileStatements: 1,
    });
    expect(formatText(result, colors)).toContain(': 1 SQL statement in 1 .sql file, 1 not parsed;');
  });

  it('says every count in the singular or plural it needs', () => {
    const result = shopResult();
    Object.assign(result.summary, { errors: 1, warnings: 1, allowed: 1, suppressed: 1 });
    expect(junitSummary(result)).toContain(
      '1 error, 1 warning, 1 finding accepted by allow entries, 1 finding silenced by comments.',
    );
    Object.assign(result.summary, { errors: 2, warnings: 0, allowed: 0, suppressed: 3 });
    expect(junitSummary(result)).toContain(
      '2 errors, 0 warnings, 0 findings accepted by allow entries, 3 findings silenced by comments.',
    );
  });
});
