import type { ts } from 'ts-morph';
import { ts as compiler } from '../compiler.js';
import type { BuilderLibrary, TransactionFact } from '../facts.js';
import type { Chain } from './chain.js';
import { skipWrappers } from './chain.js';

/**
 * Transactions: the callback of `knex.transaction`, `dataSource.transaction`,
 * `manager.transaction`, `db.transaction().execute` (kysely), `prisma.$transaction` and pg-promise's
 * `db.tx`; the array of `prisma.$transaction([…])`; and BEGIN … COMMIT sent on one client.
 */

export interface OpenTransaction {
  index: number;
  /** The callback's parameter that runs statements in it; null for the array form (all in it). */
  param: string | null;
}

interface Transaction {
  body: ts.Expression;
  param: string | null;
  kind: BuilderLibrary | 'sql';
  offset: number;
}

/** The callback or array a chain hands to a transaction, and the transaction's library. */
export function transactionOf(chain: Chain, source: ts.SourceFile): Transaction | null {
  for (let index = 0; index < chain.links.length; index++) {
    const found = transactionAt(chain, index, source);
    if (found) return found;
  }
  return null;
}

/**
 * The transaction a chain's link opens, if any. The link may be followed by more
 * (`transaction(fn).then(…)`); a wrapper destructured from a client
 * (`const { transaction } = prisma`) is called bare, as the chain's root call.
 */
function transactionAt(chain: Chain, index: number, source: ts.SourceFile): Transaction | null {
  const link = chain.links[index]!;
  if (!link.args) return null;
  const name = link.name ?? (index === 0 ? (chain.rootName ?? '') : '');
  const isKysely =
    name === 'execute' &&
    chain.links.slice(0, index).some((l) => l.name === 'transaction' && l.args);
  if (!isKysely && name !== 'transaction' && name !== '$transaction' && name !== 'tx') return null;

  const fn = [...link.args].reverse().find(isFunction);
  const array = /^\$?transaction$/.test(name)
    ? link.args.find(compiler.isArrayLiteralExpression)
    : undefined;
  const body = fn ?? array;
  if (!body) return null;

  const opener = isKysely ? chain.links.find((l) => l.name === 'transaction')! : link;
  const param = fn ? firstParameter(fn) : null;
  if (fn && param == null) return null;
  const kind = kindOf(chain, name, isKysely, body);
  return { body, param, kind, offset: opener.node.getStart(source) };
}

function kindOf(
  chain: Chain,
  name: string,
  isKysely: boolean,
  body: ts.Expression,
): BuilderLibrary | 'sql' {
  if (isKysely) return 'kysely';
  if (name === '$transaction') return 'prisma';
  if (name === 'tx') return 'sql';
  const text = chain.links.map((link) => link.name ?? '').join('.') + (chain.rootName ?? '');
  if (/manager|dataSource|connection/i.test(text)) return 'typeorm';
  return compiler.isArrayLiteralExpression(body) ? 'prisma' : 'knex';
}

function isFunction(node: ts.Expression): node is ts.ArrowFunction | ts.FunctionExpression {
  const inner = skipWrappers(node);
  return compiler.isArrowFunction(inner) || compiler.isFunctionExpression(inner);
}

function firstParameter(fn: ts.Expression): string | null {
  const inner = skipWrappers(fn) as ts.ArrowFunction | ts.FunctionExpression;
  const first = inner.parameters[0];
  return first && compiler.isIdentifier(first.name) ? first.name.text : null;
}

const BEGIN = /^\s*(?:begin|start\s+transaction)\b/i;
const END = /^\s*(?:commit|rollback|end)\b/i;

interface SqlCall {
  receiver: string;
  text: string | null;
  range: [number, number];
  offset: number;
}

/**
 * BEGIN … COMMIT on one client within one function: the SQL calls on that client in between.
 * A ROLLBACK in a catch block ends it as well.
 */
export function collectSqlTransactions(
  source: ts.SourceFile,
  sqlCalls: ReadonlySet<string>,
): TransactionFact[] {
  const found: TransactionFact[] = [];
  const visitBody = (body: ts.Node): void => {
    const calls: SqlCall[] = [];
    const scan = (node: ts.Node): void => {
      if (node !== body && compiler.isFunctionLike(node)) return visitBody(node);
      const call = sqlCallOf(node, source, sqlCalls);
      if (call) calls.push(call);
      compiler.forEachChild(node, scan);
    };
    compiler.forEachChild(body, scan);
    found.push(...pairTransactions(calls));
  };
  visitBody(source);
  return found;
}

function sqlCallOf(
  node: ts.Node,
  source: ts.SourceFile,
  sqlCalls: ReadonlySet<string>,
): SqlCall | null {
  if (!compiler.isCallExpression(node) || !compiler.isPropertyAccessExpression(node.expression)) {
    return null;
  }
  if (!sqlCalls.has(node.expression.name.text)) return null;
  const [first] = node.arguments;
  const last = node.arguments.at(-1);
  if (!first || !last) return null;
  return {
    receiver: node.expression.expression.getText(source),
    text: compiler.isStringLiteralLike(first) ? first.text : null,
    range: [first.getStart(source), last.end],
    offset: node.expression.name.getStart(source),
  };
}

function pairTransactions(calls: SqlCall[]): TransactionFact[] {
  const found: TransactionFact[] = [];
  const open = new Map<string, TransactionFact>();
  for (const call of calls) {
    const current = open.get(call.receiver);
    if (call.text != null && BEGIN.test(call.text)) {
      const fact: TransactionFact = { offset: call.offset, kind: 'sql', sqlRanges: [] };
      open.set(call.receiver, fact);
      found.push(fact);
    } else if (call.text != null && END.test(call.text)) {
      open.delete(call.receiver);
    } else if (current) {
      current.sqlRanges.push(call.range);
    }
  }
  return found.filter((fact) => fact.sqlRanges.length > 0);
}
