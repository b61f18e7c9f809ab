import type { ts } from 'ts-morph';
import { ts as compiler } from '../compiler.js';
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

/** knex methods other objects have too (a hash's update, a map's delete): no evidence alone. */
const COMMON_METHODS = new Set([
  'update',
  'delete',
  'del',
  'increment',
  'decrement',
  'modify',
  'columns',
  'column',
  'distinct',
  'limit',
  'offset',
  'max',
  'min',
  'sum',
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
      // Only a function named like a knex instance names its table with a value unknown here;
      // selectInvitesQb(db).where(…) is a helper taking the database.
      const named = KNEX_ROOTS.test(calleeOf(chain, index) ?? '');
      refs.push(...rootTables(first, main, context, !named));
    } else if ((link.name === 'from' || link.name === 'into' || link.name === 'table') && first) {
      if (isStaticCall(chain, index)) return;
      // knex's table('t') takes one argument; Drizzle's schema.table('t', columns) defines one.
      if (link.name === 'table' && link.args.length > 1) return;
      // `x.from(value)` as the first call is as often a conversion (Readable.from) as a query.
      const optional = index === 0 && !compiler.isStringLiteralLike(first);
      if (optional) {
        const ref = tableArgument(first, main, context, true);
        if (ref) refs.push(ref);
      } else {
        refs.push(...tableArguments(first, main, context));
      }
    } else if (isJoin(link.args, link.name) && first && !isRelationPath(first, chain)) {
      // A table object that turns out to be no table is dropped, not reported as dynamic.
      const ref = tableArgument(first, 'read', context, !compiler.isStringLiteralLike(first));
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

/**
 * `knex('t')` names a table when the function is called knex, db, trx…, or when a knex method is
 * the next call. A capitalised callee (`String(x)`, `Buffer(x)`) is a global, not a builder.
 */
function calleeOf(chain: Chain, index: number): string | null {
  return index === 0 ? chain.rootName : chain.links[index - 1]!.name;
}

function isKnexRootCall(chain: Chain, index: number): boolean {
  const callee = calleeOf(chain, index);
  if (callee == null || /^[A-Z]/.test(callee)) return false;
  if (KNEX_ROOTS.test(callee)) return true;
  const next = chain.links.slice(index + 1).find((link) => link.args);
  return next != null && KNEX_METHODS.has(next.name ?? '') && !COMMON_METHODS.has(next.name!);
}

/** Builders' joins take the table and a condition; an array's or a path's join takes one argument. */
function isJoin(args: readonly ts.Expression[], name: string | null): boolean {
  return JOIN_METHODS.test(name ?? '') && args.length >= 2;
}

/** `Buffer.from(…)`, `Array.from(…)`: a static method of a class, not a query. */
function isStaticCall(chain: Chain, index: number): boolean {
  return index === 0 && chain.rootName != null && /^[A-Z]/.test(chain.rootName);
}

/** `knex('orders')`, `knex('orders as o')`, `knex({ o: 'orders' })`. */
function rootTables(
  argument: ts.Expression,
  access: 'read' | 'write',
  context: ReadingContext,
  optional: boolean,
): BuilderTableRef[] {
  if (compiler.isObjectLiteralExpression(argument)) {
    return argument.properties.flatMap((property) => {
      if (!compiler.isPropertyAssignment(property)) return [];
      const ref = tableArgument(property.initializer, access, context);
      return ref ? [ref] : [];
    });
  }
  if (optional && !compiler.isStringLiteralLike(argument)) {
    const value = context.scope.valueOf(argument);
    if (!('text' in value) && !('import' in value) && !('concat' in value)) return [];
  }
  const ref = tableArgument(argument, access, context);
  return ref ? [ref] : [];
}

/** A TypeORM join along a relation: `'order.lines'`, where `order` is an alias of the chain. */
function isRelationPath(argument: ts.Expression, chain: Chain): boolean {
  if (!compiler.isStringLiteralLike(argument) || !/^\w+\.\w+$/.test(argument.text)) return false;
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
    if (alias && compiler.isStringLiteralLike(alias)) aliases.add(alias.text);
  }
  return aliases;
}

/** SQL text of a `joinRaw`/`fromRaw` argument, checked as the clause it is. */
function rawFragment(
  argument: ts.Expression,
  clause: 'join' | 'from',
  context: ReadingContext,
): BuilderTableRef | null {
  if (!compiler.isStringLiteralLike(argument)) return null;
  return {
    offset: argument.getStart(context.source) + 1,
    access: 'read',
    source: { fragment: { clause, text: argument.text } },
  };
}
