import type { ts } from 'ts-morph';
import { ts as compiler } from '../compiler.js';
import type {
  BuilderTableRef,
  RelationFact,
  SymbolValue,
  TableAccess,
  TableName,
} from '../facts.js';
import { RELATION_DECORATORS, relationTargetOf } from './constants.js';
import type { SymbolScope } from './constants.js';
import { JOIN_METHODS, WRITE_METHODS } from './knex.js';
import { skipWrappers, tableArgument } from './chain.js';
import type { Chain, ChainLink, ChainReading, ReadingContext } from './chain.js';

/**
 * TypeORM: repositories (`getRepository(Order)`, `@InjectRepository(Order)`, a property typed
 * `Repository<Order>`), the entity manager (`manager.save(Order, …)`), joins of the query builder
 * along relations (`leftJoin('order.lines', 'l')`), and relation decorators between entities.
 */

const REPOSITORY_WRITES = new Set([
  'save',
  'insert',
  'update',
  'upsert',
  'delete',
  'remove',
  'softDelete',
  'softRemove',
  'restore',
  'recover',
  'increment',
  'decrement',
  'clear',
]);

const REPOSITORY_READS = new Set([
  'find',
  'findOne',
  'findBy',
  'findOneBy',
  'findAndCount',
  'findAndCountBy',
  'findOneOrFail',
  'findOneByOrFail',
  'findByIds',
  'count',
  'countBy',
  'exist',
  'exists',
  'existsBy',
  'sum',
  'average',
  'minimum',
  'maximum',
  'preload',
  'query',
]);

const GET_REPOSITORY = /^(?:getRepository|getTreeRepository|getMongoRepository|withRepository)$/;
const REPOSITORY_TYPES = /^(?:Repository|TreeRepository|MongoRepository)$/;

export function readTypeormChain(chain: Chain, context: ReadingContext): ChainReading | null {
  const repository = repositoryOf(chain, context);
  const refs = repository ? repositoryRefs(chain, repository) : managerRefs(chain, context);
  if (chain.links.some(isRelationJoin)) {
    refs.push(...relationJoins(chain, repository?.entity ?? null, context));
  }
  return refs.length > 0 ? { library: 'typeorm', tables: refs } : null;
}

interface RepositoryUse {
  entity: SymbolValue;
  /** Where the entity is named: the getRepository argument, or the chain's start. */
  offset: number;
  /** The index of the first link after the repository. */
  next: number;
  fromCall: boolean;
}

function repositoryOf(chain: Chain, context: ReadingContext): RepositoryUse | null {
  // getRepository(Order), imported from typeorm and called bare, is the chain's root call.
  const isBare = GET_REPOSITORY.test(chain.rootName ?? '') && chain.links[0]?.name === null;
  const index = isBare ? 0 : chain.links.findIndex((link) => GET_REPOSITORY.test(link.name ?? ''));
  const argument = index >= 0 ? chain.links[index]!.args?.[0] : undefined;
  if (argument) {
    const node = skipWrappers(argument);
    const entity = context.scope.valueOf(node);
    return { entity, offset: node.getStart(context.source), next: index + 1, fromCall: true };
  }

  const held =
    chain.rootName === 'this'
      ? { name: chain.links[0]?.name, next: 1 }
      : { name: chain.rootName, next: 0 };
  const entity = held.name != null ? context.repositories.get(held.name) : undefined;
  if (!entity) return null;
  return { entity, offset: chain.start, next: held.next, fromCall: false };
}

function repositoryRefs(chain: Chain, repository: RepositoryUse): BuilderTableRef[] {
  const method = chain.links[repository.next];
  let access: TableAccess | null = null;
  if (method?.args && REPOSITORY_WRITES.has(method.name ?? '')) access = 'write';
  else if (method?.args && REPOSITORY_READS.has(method.name ?? '')) access = 'read';
  else if (method?.name === 'createQueryBuilder') {
    const later = chain.links.slice(repository.next + 1);
    access = later.some((link) => WRITE_METHODS.has(link.name ?? '')) ? 'write' : 'read';
  } else if (!method && repository.fromCall) access = 'read';
  if (access == null) return [];
  return [{ offset: repository.offset, access, source: { symbol: repository.entity } }];
}

/** `manager.find(Order, …)`, `em.save(Order, order)`: the first argument, when it is an entity. */
function managerRefs(chain: Chain, context: ReadingContext): BuilderTableRef[] {
  const refs: BuilderTableRef[] = [];
  for (const link of chain.links) {
    const [first] = link.args ?? [];
    const name = link.name ?? '';
    // Entity classes are PascalCase; `items.find(isDone)` passes a function, not an entity.
    const node = first && skipWrappers(first);
    if (!node || !compiler.isIdentifier(node) || !/^[A-Z]/.test(node.text)) continue;
    const access = REPOSITORY_WRITES.has(name)
      ? 'write'
      : REPOSITORY_READS.has(name) || name === 'createQueryBuilder'
        ? 'read'
        : null;
    if (access == null || name === 'query') continue;
    const ref = tableArgument(first, access, context, true);
    if (ref && 'symbol' in ref.source) refs.push(ref);
  }
  return refs;
}

function isRelationJoin(link: ChainLink): boolean {
  const first = link.args?.[0];
  return (
    first != null &&
    JOIN_METHODS.test(link.name ?? '') &&
    compiler.isStringLiteralLike(first) &&
    first.text.includes('.')
  );
}

/** Joins along a relation: `'order.lines'`, where `order` is the alias of a known entity. */
function relationJoins(
  chain: Chain,
  repositoryEntity: SymbolValue | null,
  context: ReadingContext,
): BuilderTableRef[] {
  const aliases = new Map<string, SymbolValue>();
  const refs: BuilderTableRef[] = [];
  for (const link of chain.links) {
    const [first, second] = link.args ?? [];
    if (link.name === 'createQueryBuilder' && first) {
      if (second && compiler.isStringLiteralLike(second)) {
        aliases.set(second.text, context.scope.valueOf(skipWrappers(first)));
      } else if (compiler.isStringLiteralLike(first) && repositoryEntity) {
        aliases.set(first.text, repositoryEntity);
      }
    }
    if ((link.name === 'from' || JOIN_METHODS.test(link.name ?? '')) && first && second) {
      if (compiler.isIdentifier(skipWrappers(first)) && compiler.isStringLiteralLike(second)) {
        aliases.set(second.text, context.scope.valueOf(skipWrappers(first)));
      }
    }
    if (!JOIN_METHODS.test(link.name ?? '') || !first || !compiler.isStringLiteralLike(first)) {
      continue;
    }
    const match = /^(\w+)\.(\w+)$/.exec(first.text);
    const entity = match ? aliases.get(match[1]!) : undefined;
    if (!match || !entity) continue;
    refs.push({
      offset: first.getStart(context.source),
      access: 'read',
      source: { entityRelation: { entity, property: match[2]! } },
    });
  }
  return refs;
}

/** Repositories the file holds by name: injected, typed `Repository<X>`, or assigned from getRepository. */
export function collectRepositories(
  source: ts.SourceFile,
  scope: SymbolScope,
): Map<string, SymbolValue> {
  const repositories = new Map<string, SymbolValue>();
  const visit = (node: ts.Node): void => {
    if (
      (compiler.isPropertyDeclaration(node) || compiler.isParameter(node)) &&
      compiler.isIdentifier(node.name)
    ) {
      const entity = injectedEntity(node) ?? typedEntity(node.type);
      if (entity) repositories.set(node.name.text, scope.valueOf(entity));
    }
    const assigned = assignedRepository(node);
    if (assigned) repositories.set(assigned.name, scope.valueOf(assigned.entity));
    compiler.forEachChild(node, visit);
  };
  visit(source);
  return repositories;
}

function injectedEntity(
  node: ts.PropertyDeclaration | ts.ParameterDeclaration,
): ts.Expression | null {
  for (const decorator of compiler.getDecorators(node) ?? []) {
    const call = decorator.expression;
    if (
      compiler.isCallExpression(call) &&
      compiler.isIdentifier(call.expression) &&
      call.expression.text === 'InjectRepository' &&
      call.arguments[0]
    ) {
      return call.arguments[0];
    }
  }
  return null;
}

function typedEntity(type: ts.TypeNode | undefined): ts.Expression | null {
  if (!type || !compiler.isTypeReferenceNode(type) || !compiler.isIdentifier(type.typeName)) {
    return null;
  }
  if (!REPOSITORY_TYPES.test(type.typeName.text)) return null;
  const [argument] = type.typeArguments ?? [];
  if (
    argument &&
    compiler.isTypeReferenceNode(argument) &&
    compiler.isIdentifier(argument.typeName)
  ) {
    return argument.typeName;
  }
  return null;
}

/** `const repo = ds.getRepository(Order)` or `this.repo = ds.getRepository(Order)`. */
function assignedRepository(node: ts.Node): { name: string; entity: ts.Expression } | null {
  let name: string | null = null;
  let value: ts.Expression | undefined;
  if (compiler.isVariableDeclaration(node) && compiler.isIdentifier(node.name)) {
    name = node.name.text;
    value = node.initializer;
  } else if (
    compiler.isBinaryExpression(node) &&
    node.operatorToken.kind === compiler.SyntaxKind.EqualsToken &&
    compiler.isPropertyAccessExpression(node.left)
  ) {
    name = node.left.name.text;
    value = node.right;
  }
  if (name == null || !value) return null;
  const call = skipWrappers(value);
  if (!compiler.isCallExpression(call) || !call.arguments[0]) return null;
  const callee = call.expression;
  const method = compiler.isPropertyAccessExpression(callee)
    ? callee.name.text
    : compiler.isIdentifier(callee)
      ? callee.text
      : '';
  return GET_REPOSITORY.test(method) ? { name, entity: call.arguments[0] } : null;
}

/** The relation decorators of the file's entity classes. */
export function collectRelations(source: ts.SourceFile, scope: SymbolScope): RelationFact[] {
  const relations: RelationFact[] = [];
  const visit = (node: ts.Node): void => {
    if (compiler.isClassDeclaration(node) && node.name) {
      const from = scope.lookup(node.name.text, node.name.getStart(source));
      if ('table' in from) relations.push(...relationsOfClass(node, from, scope, source));
    }
    compiler.forEachChild(node, visit);
  };
  visit(source);
  return relations;
}

function relationsOfClass(
  node: ts.ClassDeclaration,
  from: SymbolValue & { table: TableName },
  scope: SymbolScope,
  source: ts.SourceFile,
): RelationFact[] {
  const facts: RelationFact[] = [];
  for (const member of node.members) {
    if (!compiler.isPropertyDeclaration(member)) continue;
    const target = relationTargetOf(member);
    const decorator = (compiler.getDecorators(member) ?? []).find((d) => {
      const call = d.expression;
      return (
        compiler.isCallExpression(call) &&
        compiler.isIdentifier(call.expression) &&
        RELATION_DECORATORS.has(call.expression.text)
      );
    });
    if (!target || !decorator) continue;
    const call = decorator.expression as ts.CallExpression;
    facts.push({
      offset: call.expression.getStart(source),
      decorator: (call.expression as ts.Identifier).text,
      from: { table: from.table, via: 'entity' },
      to: scope.shallowEntity(target),
    });
  }
  return facts;
}
