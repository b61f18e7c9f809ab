import type { ts } from 'ts-morph';
import { ts as compiler } from '../compiler.js';
import type { BuilderTableRef, TableAccess } from '../facts.js';
import { skipWrappers } from './chain.js';
import type { Chain, ChainReading, ReadingContext } from './chain.js';

/**
 * Prisma Client calls: `prisma.order.findMany(…)`, `tx.order.create(…)`, with the relations an
 * `include`, `select` or relation filter reads and the nested writes of `data`. The accessor
 * (`order`) and the relation fields are mapped to tables by schema.prisma in the project pass;
 * names that are not models or relations there are dropped.
 */

const MODEL_METHODS = new Map<string, TableAccess>([
  ['findUnique', 'read'],
  ['findUniqueOrThrow', 'read'],
  ['findFirst', 'read'],
  ['findFirstOrThrow', 'read'],
  ['findMany', 'read'],
  ['count', 'read'],
  ['aggregate', 'read'],
  ['groupBy', 'read'],
  ['create', 'write'],
  ['createMany', 'write'],
  ['createManyAndReturn', 'write'],
  ['update', 'write'],
  ['updateMany', 'write'],
  ['updateManyAndReturn', 'write'],
  ['upsert', 'write'],
  ['delete', 'write'],
  ['deleteMany', 'write'],
]);

const NESTED_WRITES = new Set([
  'create',
  'createMany',
  'connectOrCreate',
  'update',
  'updateMany',
  'upsert',
  'delete',
  'deleteMany',
  'set',
]);

const FILTER_OPERATORS = new Set(['some', 'every', 'none', 'is', 'isNot']);

export function readPrismaChain(chain: Chain, context: ReadingContext): ChainReading | null {
  const index = chain.links.findIndex(
    (link, i) => i > 0 && link.args != null && MODEL_METHODS.has(link.name ?? ''),
  );
  const accessor = chain.links[index - 1];
  if (index < 0 || !accessor || accessor.args != null) return null;
  if (accessor.name?.startsWith('$')) return null;

  const method = chain.links[index]!;
  const access = MODEL_METHODS.get(method.name!)!;
  const offset = accessor.node.getStart(context.source);
  if (accessor.name === '[]') {
    if (!/prisma|db|client|tx/i.test(chain.root.getText(context.source))) return null;
    return {
      library: 'prisma',
      tables: [{ offset, access, source: { dynamic: 'the Prisma model is chosen at run time' } }],
    };
  }

  const model = accessor.name!;
  if (model.startsWith('#') || !looksLikePrisma(chain, index, method.args ?? [])) return null;
  const refs: BuilderTableRef[] = [{ offset, access, source: { model } }];
  const [options] = method.args ?? [];
  if (options && compiler.isObjectLiteralExpression(skipWrappers(options))) {
    refs.push(
      ...optionRelations(skipWrappers(options) as ts.ObjectLiteralExpression, model, context),
    );
  }
  return { library: 'prisma', tables: refs };
}

/** Names Prisma clients usually have, somewhere before the model: `prisma`, `ctx.db`, `tx`. */
const CLIENT_NAMES = /prisma|^db$|database|client|^tx$|^trx$|transaction/i;
const OPTION_KEYS =
  /^(?:where|data|select|include|orderBy|take|skip|cursor|distinct|by|_count|create|update)$/;

/**
 * A Prisma call, not a map's or a set's (`this.orders.delete(id)`): the client is named like one,
 * or the call takes Prisma's options object.
 */
function looksLikePrisma(chain: Chain, index: number, args: readonly ts.Expression[]): boolean {
  const names = [chain.rootName, ...chain.links.slice(0, index - 1).map((link) => link.name)];
  if (names.some((name) => name != null && CLIENT_NAMES.test(name))) return true;
  const [options] = args;
  if (!options) return false;
  const object = skipWrappers(options);
  return (
    compiler.isObjectLiteralExpression(object) &&
    object.properties.some(
      (property) =>
        property.name != null &&
        compiler.isIdentifier(property.name) &&
        OPTION_KEYS.test(property.name.text),
    )
  );
}

function optionRelations(
  options: ts.ObjectLiteralExpression,
  model: string,
  context: ReadingContext,
): BuilderTableRef[] {
  const refs: BuilderTableRef[] = [];
  const add = (path: string[], node: ts.Node, access: TableAccess): void => {
    refs.push({
      offset: node.getStart(context.source),
      access,
      source: { modelRelation: { model, path } },
    });
  };
  for (const [key, value] of propertiesOf(options)) {
    if (key === 'include' || key === 'select') selections(value, [], add);
    else if (key === 'where') filters(value, add);
    else if (key === 'data' || key === 'create' || key === 'update') nestedWrites(value, [], add);
  }
  return refs;
}

type Add = (path: string[], node: ts.Node, access: TableAccess) => void;

/** `include: { lines: true, customer: { select: { name: true } } }`. */
function selections(value: ts.Expression, path: string[], add: Add): void {
  if (!compiler.isObjectLiteralExpression(value)) return;
  for (const [key, inner, name] of propertiesOf(value)) {
    if (key === '_count') continue;
    const isSelected =
      inner.kind === compiler.SyntaxKind.TrueKeyword || compiler.isObjectLiteralExpression(inner);
    if (!isSelected) continue;
    add([...path, key], name, 'read');
    if (!compiler.isObjectLiteralExpression(inner)) continue;
    for (const [innerKey, nested] of propertiesOf(inner)) {
      if (innerKey === 'include' || innerKey === 'select') selections(nested, [...path, key], add);
    }
  }
}

/** `where: { customer: { is: { … } }, lines: { some: { … } } }`: relation filters read. */
function filters(value: ts.Expression, add: Add): void {
  if (!compiler.isObjectLiteralExpression(value)) return;
  for (const [key, inner, name] of propertiesOf(value)) {
    if (!compiler.isObjectLiteralExpression(inner)) continue;
    const keys = propertiesOf(inner).map(([innerKey]) => innerKey);
    if (keys.some((innerKey) => FILTER_OPERATORS.has(innerKey))) add([key], name, 'read');
  }
}

/** `data: { lines: { create: [ … ] } }`: a nested write to the related model. */
function nestedWrites(value: ts.Expression, path: string[], add: Add): void {
  if (!compiler.isObjectLiteralExpression(value)) return;
  for (const [key, inner, name] of propertiesOf(value)) {
    if (!compiler.isObjectLiteralExpression(inner)) continue;
    const operations = propertiesOf(inner).filter(([op]) => NESTED_WRITES.has(op));
    if (operations.length === 0) continue;
    add([...path, key], name, 'write');
    for (const [, payload] of operations) {
      const object = compiler.isArrayLiteralExpression(payload) ? payload.elements[0] : payload;
      if (object) nestedWrites(skipWrappers(object), [...path, key], add);
    }
  }
}

function propertiesOf(object: ts.ObjectLiteralExpression): [string, ts.Expression, ts.Node][] {
  return object.properties.flatMap((property): [string, ts.Expression, ts.Node][] => {
    if (!compiler.isPropertyAssignment(property)) return [];
    const name = property.name;
    if (!compiler.isIdentifier(name) && !compiler.isStringLiteral(name)) return [];
    return [[name.text, skipWrappers(property.initializer), name]];
  });
}
