import { ts } from 'ts-morph';
import type { BuilderTableRef } from '../facts.js';
import { qualify, tableArgument, tableArguments } from './chain.js';
import type { Chain, ChainReading, ReadingContext } from './chain.js';

/**
 * knex chains: `knex('orders')`, `.from`, `.into`, `.table`, the join family, `'t as alias'`,
 * `{ o: 'orders' }`, `.withSchema`, `.joinRaw` and `.fromRaw`. The same links (from, join) read
 * the table objects of Drizzle and the entities of TypeORM's query builder.
 */

/** Methods that make the chain's main table a write target. */
export const WRITE_METHODS = new Set([
  'insert',
  'update',
  'del',
  'delete',
  'truncate',
  'upsert',
  'increment',
  'decrement',
  'merge',
  'softDelete',
  'restore',
  'onConflict',
]);

export const JOIN_METHODS =
  /^(?:join|innerJoin|leftJoin|leftOuterJoin|rightJoin|rightOuterJoin|fullJoin|fullOuterJoin|outerJoin|crossJoin|innerJoinAndSelect|leftJoinAndSelect|innerJoinAndMapOne|innerJoinAndMapMany|leftJoinAndMapOne|leftJoinAndMapMany)$/;

/** Methods knex chains have after `knex('t')`: evidence that the root call names a table. */
const KNEX_METHODS = new Set([
  'select',
  'where',
  'whereIn',
  'whereNot',
  'whereNull',
  'whereNotNull',
  'whereRaw',
  'andWhere',
  'orWhere',
  'first',
  'pluck',
  'insert',
  'update',
  'del',
  'delete',
  'truncate',
  'upsert',
  'returning',
  'orderBy',
  'groupBy',
  'having',
  'limit',
  'offset',
  'count',
  'sum',
  'max',
  'min',
  'avg',
  'increment',
  'decrement',
  'onConflict',
  'columns',
  'column',
  'distinct',
  'modify',
  'forUpdate',
  'join',
  'innerJoin',
  'leftJoin',
  'rightJoin',
  'transacting',
  'withSchema',
]);

const KNEX_ROOTS = /^(?:knex|trx|tx|transaction|db|database|connection|conn|k)$/i;

export function readKnexChain(chain: Chain, context: ReadingContext): ChainReading | null {
  const writes = chain.links.some((link) => link.args && WRITE_METHODS.has(link.name ?? ''));
  const main = writes ? 'write' : 'read';
  const refs: BuilderTableRef[] = [];
  let sawRootCall = false;

  chain.links.forEach((link, index) => {
    if (!link.args) return;
    const [first] = link.args;
    if (link.name == null && index === chain.links.findIndex((l) => l.args) && first) {
      if (!isKnexRootCall(chain, index)) return;
      sawRootCall = true;
      refs.push(...rootTables(first, main, context));
    } else if ((link.name === 'from' || link.name === 'into' || link.name === 'table') && first) {
      refs.push(...tableArguments(first, main, context));
    } else if (JOIN_METHODS.test(link.name ?? '') && first && !isRelationPath(first, chain)) {
      const ref = tableArgument(first, 'read', context);
      if (ref) refs.push(ref);
    } else if ((link.name === 'joinRaw' || link.name === 'fromRaw') && first) {
      const fragment = rawFragment(first, link.name === 'joinRaw' ? 'join' : 'from', context);
      if (fragment) refs.push(fragment);
    }
  });

  if (refs.length === 0) return null;
  const library = sawRootCall || refs.some((ref) => 'text' in ref.source) ? 'knex' : 'drizzle';
  return { library, tables: qualify(chain, refs) };
}

/** `knex('t')` names a table when a knex method follows, or the function is called knex or trx. */
function isKnexRootCall(chain: Chain, index: number): boolean {
  const callee = index === 0 ? chain.rootName : chain.links[index - 1]!.name;
  if (callee != null && KNEX_ROOTS.test(callee)) return true;
  return chain.links
    .slice(index + 1)
    .some((link) => link.args && KNEX_METHODS.has(link.name ?? ''));
}

/** `knex('orders')`, `knex('orders as o')`, `knex({ o: 'orders' })`. */
function rootTables(
  argument: ts.Expression,
  access: 'read' | 'write',
  context: ReadingContext,
): BuilderTableRef[] {
  if (ts.isObjectLiteralExpression(argument)) {
    return argument.properties.flatMap((property) => {
      if (!ts.isPropertyAssignment(property)) return [];
      const ref = tableArgument(property.initializer, access, context);
      return ref ? [ref] : [];
    });
  }
  const ref = tableArgument(argument, access, context);
  return ref ? [ref] : [];
}

/** A TypeORM join along a relation: `'order.lines'`, where `order` is an alias of the chain. */
function isRelationPath(argument: ts.Expression, chain: Chain): boolean {
  if (!ts.isStringLiteralLike(argument) || !/^\w+\.\w+$/.test(argument.text)) return false;
  return aliasesOf(chain).has(argument.text.split('.')[0]!);
}

/** Aliases a TypeORM query builder gives: createQueryBuilder('o'), from(X, 'o'), join(…, 'l'). */
export function aliasesOf(chain: Chain): Set<string> {
  const aliases = new Set<string>();
  for (const link of chain.links) {
    const args = link.args ?? [];
    const alias =
      link.name === 'createQueryBuilder'
        ? args[0]
        : link.name === 'from' || JOIN_METHODS.test(link.name ?? '')
          ? args[1]
          : undefined;
    if (alias && ts.isStringLiteralLike(alias)) aliases.add(alias.text);
  }
  return aliases;
}

/** SQL text of a `joinRaw`/`fromRaw` argument, checked as the clause it is. */
function rawFragment(
  argument: ts.Expression,
  clause: 'join' | 'from',
  context: ReadingContext,
): BuilderTableRef | null {
  if (!ts.isStringLiteralLike(argument)) return null;
  return {
    offset: argument.getStart(context.source) + 1,
    access: 'read',
    source: { fragment: { clause, text: argument.text } },
  };
}
