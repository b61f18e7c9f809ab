import { RULES } from '../../src/check/findings.js';
import type { AllowedFinding, Finding, RuleId } from '../../src/check/findings.js';
import type { CheckResult } from '../../src/check/run.js';

type SuppressedFinding = NonNullable<CheckResult['suppressed']>[number];

type FindingFields = Pick<Finding, 'rule' | 'file' | 'line' | 'column' | 'message'> &
  Partial<Finding>;

/** A finding as the check makes it: severity from the rule, no contexts or tables unless given. */
export function finding(fields: FindingFields): Finding {
  return {
    severity: RULES[fields.rule].severity,
    context: null,
    targets: [],
    tables: [],
    ...fields,
  };
}

/**
 * What the shop example reports, plus one finding of every other rule, two notices and a finding
 * silenced by a comment.
 */
export function shopResult(): CheckResult {
  const findings = [...SHOP_FINDINGS.map(finding), ...otherRules(SHOP_FINDINGS)];
  return resultOf(findings, SHOP_ALLOWED, NOTICES, [SHOP_SILENCED]);
}

/** A run that found nothing at all. */
export function cleanResult(): CheckResult {
  return resultOf([], [], []);
}

export function resultOf(
  findings: Finding[],
  allowed: AllowedFinding[] = [],
  notices: string[] = [],
  suppressed: SuppressedFinding[] = [],
): CheckResult {
  const byRule: Partial<Record<RuleId, number>> = {};
  for (const item of findings) byRule[item.rule] = (byRule[item.rule] ?? 0) + 1;

  return {
    config: '/work/shop/dbboundary.yaml',
    root: '/work/shop',
    findings,
    allowed,
    scannedFiles: [...new Set(findings.map((f) => f.file))],
    suppressed,
    notices,
    summary: {
      files: 42,
      filesByContext: { orders: 14, customers: 9, catalog: 8, search: 5 },
      filesOutsideContexts: 6,
      sqlStrings: 31,
      sqlFiles: 0,
      statements: 30,
      unparsedSql: findings.filter((item) => item.rule === 'unparsed-sql').length,
      imports: 118,
      errors: findings.filter((item) => item.severity === 'error').length,
      warnings: findings.filter((item) => item.severity === 'warning').length,
      allowed: allowed.length,
      suppressed: suppressed.length,
      byRule,
      durationMs: 1234,
    },
  };
}

const SHOP_FINDINGS: FindingFields[] = [
  {
    rule: 'cross-context-import',
    file: 'src/contexts/catalog/admin/price-admin.ts',
    line: 51,
    column: 43,
    context: 'catalog',
    targets: ['search'],
    import: '../../search/reindex',
    message:
      'imports src/contexts/search/reindex.ts, which search does not make public; import from its public API instead.',
  },
  {
    rule: 'unparsed-sql',
    file: 'src/contexts/catalog/category-repository.ts',
    line: 18,
    column: 54,
    context: 'catalog',
    message: 'the PostgreSQL parser rejects this SQL: syntax error at or near "FROM".',
  },
  {
    rule: 'cross-context-import',
    file: 'src/contexts/customers/loyalty-service.ts',
    line: 7,
    column: 29,
    context: 'customers',
    targets: ['orders'],
    import: '../orders/domain/order-status',
    message:
      'imports src/contexts/orders/domain/order-status.ts, which orders does not make public; import from its public API instead.',
  },
  {
    rule: 'foreign-table-access',
    file: 'src/contexts/customers/loyalty-service.ts',
    line: 22,
    column: 12,
    context: 'customers',
    targets: ['orders'],
    tables: ['orders.orders'],
    message: 'reads orders.orders, owned by orders.',
  },
  {
    rule: 'cross-context-join',
    file: 'src/contexts/orders/backoffice-queries.ts',
    line: 24,
    column: 13,
    context: 'orders',
    targets: ['customers'],
    tables: ['customers.customers', 'orders.orders'],
    message:
      'one statement touches tables of orders (orders.orders) and customers (customers.customers); it cannot run once each context has its own database.',
  },
  {
    rule: 'dynamic-sql',
    file: 'src/contexts/orders/order-archive.ts',
    line: 12,
    column: 31,
    context: 'orders',
    message:
      'the table name comes from a value at run time, so this statement cannot be checked; name it in the SQL text, or pick the statement from a fixed list of literal queries.',
  },
  {
    rule: 'unmapped-table',
    file: 'src/contexts/orders/order-service.ts',
    line: 29,
    column: 26,
    context: 'orders',
    tables: ['public.feature_flags'],
    message:
      'public.feature_flags is owned by no context; add it to the tables of the context that owns it.',
  },
  {
    rule: 'foreign-table-access',
    file: 'src/contexts/orders/stock-reservation.ts',
    line: 25,
    column: 15,
    context: 'orders',
    targets: ['catalog'],
    tables: ['catalog.stock_levels'],
    message: 'writes catalog.stock_levels, owned by catalog.',
  },
  {
    rule: 'cross-context-join',
    file: 'src/jobs/nightly-revenue-report.ts',
    line: 33,
    column: 28,
    context: null,
    targets: ['customers', 'orders'],
    tables: ['customers.customers', 'orders.orders'],
    message:
      'one statement touches tables of orders (orders.orders) and customers (customers.customers); it cannot run once each context has its own database.',
  },
  {
    rule: 'unparsed-file',
    file: 'src/legacy/export-latin1.ts',
    line: 1,
    column: 1,
    context: null,
    message:
      'not valid UTF-8; it was read with replacement characters, so SQL or imports in it may be missed. Save it as UTF-8.',
  },
];

/** Rules added after these tests were written still get one finding each. */
function otherRules(known: FindingFields[]): Finding[] {
  const covered = new Set(known.map((item) => item.rule));
  return (Object.keys(RULES) as RuleId[])
    .filter((rule) => !covered.has(rule))
    .map((rule) =>
      finding({
        rule,
        file: 'src/shared/misc.ts',
        line: 3,
        column: 1,
        message: `a finding of ${rule}.`,
      }),
    );
}

const SEARCH_ALLOW = {
  from: 'search',
  to: 'catalog',
  reason: 'The search read model rebuilds from catalog tables until catalog publishes events.',
};

/** Two identical reads in one file: same rule, tables and message, different lines. */
const SHOP_ALLOWED: AllowedFinding[] = [14, 31].map((line) => ({
  ...finding({
    rule: 'foreign-table-access',
    file: 'src/contexts/search/reindex.ts',
    line,
    column: 19,
    context: 'search',
    targets: ['catalog'],
    tables: ['catalog.products'],
    message: 'reads catalog.products, owned by catalog.',
  }),
  allowedBy: SEARCH_ALLOW,
}));

const SHOP_SILENCED: SuppressedFinding = {
  ...finding({
    rule: 'unmapped-table',
    file: 'src/contexts/catalog/maintenance.ts',
    line: 40,
    column: 22,
    context: 'catalog',
    tables: ['public.schema_migrations'],
    message:
      'public.schema_migrations is owned by no context; add it to the tables of the context that owns it.',
  }),
  suppressedBy: { line: 39, reason: 'the migration tool owns this table, not a context' },
};

const NOTICES = [
  'packages/legacy/tsconfig.json cannot be read (Unexpected token } in JSON at position 120); its path aliases are not used.',
  'the import "@shop/billing/api" in src/contexts/orders/invoice.ts matches the tsconfig path alias @shop/billing/* but no file, so it was not checked.',
];
