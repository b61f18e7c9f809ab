import type { ts } from 'ts-morph';
import { ts as compiler } from '../compiler.js';
import type { SymbolValue } from '../facts.js';
import { detached, detachedValue } from '../facts.js';
import { NOT_CONSTANT, concat, memberOf } from './values.js';

export { concat, memberOf, tableNameOf } from './values.js';
import { entityTableOf } from './typeorm-entities.js';

/**
 * What the names of one file stand for: `const` strings, template constants, constant objects
 * (`as const` or plain), enums, imports, Drizzle tables and TypeORM entities. A name declared with
 * `let`, `var` or as a parameter is unknown: its value is set at run time.
 */

const SyntaxKind = compiler.SyntaxKind;

interface Declaration {
  /** The range of the block the name is visible in. */
  start: number;
  end: number;
  /** Computed on first use, from the node that gives the value. */
  value: SymbolValue | null;
  compute: () => SymbolValue;
}

/** Why a name holds no table: it holds a subquery (`….as('recent')`), itself a statement. */
export const SUBQUERY = 'a subquery';
const DRIZZLE_TABLES = /^(?:pgTable|mysqlTable|sqliteTable|pgView|mysqlView|pgMaterializedView)$/;
const DRIZZLE_SCHEMAS = /^(?:pgSchema|mysqlSchema|mysqlDatabase)$/;

export class SymbolScope {
  private readonly declarations = new Map<string, Declaration[]>();
  private readonly evaluating = new Set<Declaration>();
  /** Set by the first lookup that reads declarations inside functions (see lookup). */
  private innerRequested = false;
  /** Nodes whose own inner declarations (parameters, loop variables, statements) are made. */
  private readonly declaredOwn = new Set<ts.Node>();
  /** Nodes already searched for default clauses while off a lookup's path. */
  private readonly searchedOff = new Set<ts.Node>();
  /** While exports are read, only top-level names count: export initializers sit at the top level. */
  private topLevelOnly = false;

  /** Without the word `default` (or an escape that could spell it) there is no default clause. */
  private holdsDefault: boolean | null = null;

  constructor(private readonly source: ts.SourceFile) {
    for (const statement of source.statements) this.declareStatement(statement, source);
  }

  private get mayHoldDefaultClause(): boolean {
    this.holdsDefault ??= /default|\\u/.test(this.source.text);
    return this.holdsDefault;
  }

  /** Whether a lookup has read declarations inside functions yet (see lookup). */
  get readsInnerDeclarations(): boolean {
    return this.innerRequested;
  }

  /** The names a file exports, with their values, and the files it re-exports wholesale. */
  exportsOf(): { exports: Record<string, SymbolValue>; reexports: string[] } {
    const exports: Record<string, SymbolValue> = {};
    const reexports: string[] = [];
    this.topLevelOnly = true;
    try {
      this.readExports(exports, reexports);
    } finally {
      this.topLevelOnly = false;
    }
    return { exports, reexports };
  }

  private readExports(exports: Record<string, SymbolValue>, reexports: string[]): void {
    for (const statement of this.source.statements) {
      if (compiler.isExportDeclaration(statement)) {
        this.addExportDeclaration(statement, exports, reexports);
      } else if (isExported(statement)) {
        for (const name of declaredNames(statement)) {
          const value = this.lookup(name, statement.getStart(this.source));
          if (!('unknown' in value)) exports[name] = detachedValue(value);
        }
      }
    }
  }

  /** The value of an expression at its place in the file. */
  valueOf(node: ts.Node): SymbolValue {
    switch (node.kind) {
      case SyntaxKind.ParenthesizedExpression:
      case SyntaxKind.AsExpression:
      case SyntaxKind.SatisfiesExpression:
      case SyntaxKind.NonNullExpression:
      case SyntaxKind.TypeAssertionExpression:
        return this.valueOf((node as ts.ParenthesizedExpression).expression);
      case SyntaxKind.StringLiteral:
      case SyntaxKind.NoSubstitutionTemplateLiteral:
        return { text: (node as ts.StringLiteral).text };
      case SyntaxKind.TemplateExpression:
        return this.templateValue(node as ts.TemplateExpression);
      case SyntaxKind.BinaryExpression:
        return this.binaryValue(node as ts.BinaryExpression);
      case SyntaxKind.Identifier:
        return this.lookup((node as ts.Identifier).text, node.getStart(this.source));
      case SyntaxKind.PropertyAccessExpression: {
        const access = node as ts.PropertyAccessExpression;
        return memberOf(this.valueOf(access.expression), access.name.text);
      }
      case SyntaxKind.ElementAccessExpression: {
        const access = node as ts.ElementAccessExpression;
        const key = access.argumentExpression;
        if (!compiler.isStringLiteralLike(key)) return NOT_CONSTANT('an index known at run time');
        return memberOf(this.valueOf(access.expression), key.text);
      }
      case SyntaxKind.ObjectLiteralExpression:
        return this.objectValue(node as ts.ObjectLiteralExpression);
      case SyntaxKind.CallExpression:
        return this.callValue(node as ts.CallExpression);
      default:
        return NOT_CONSTANT('an expression evaluated at run time');
    }
  }

  /**
   * The value of a module-level name, without reading the declarations inside functions: for
   * arguments that may be a table object or entity (always declared at the top) or may be data.
   */
  topLevelValueOf(node: ts.Node): SymbolValue {
    const wasTopLevelOnly = this.topLevelOnly;
    this.topLevelOnly = true;
    try {
      return this.valueOf(node);
    } finally {
      this.topLevelOnly = wasTopLevelOnly;
    }
  }

  /** The value a name has at an offset: the innermost declaration whose block holds the offset. */
  lookup(name: string, at: number): SymbolValue {
    // Once a lookup has read inner declarations, module-level lookups see them too, as they did
    // when the whole file's inner declarations were collected at that first lookup.
    if (!this.topLevelOnly) this.innerRequested = true;
    if (this.innerRequested) this.collectInnerAt(at);
    let best: Declaration | null = null;
    for (const declaration of this.declarations.get(name) ?? []) {
      if (declaration.start > at || declaration.end < at) continue;
      if (!best || declaration.end - declaration.start < best.end - best.start) best = declaration;
    }
    if (!best) return NOT_CONSTANT(`${name} is not declared in this file`);
    return this.evaluate(best);
  }

  private evaluate(declaration: Declaration): SymbolValue {
    if (declaration.value) return declaration.value;
    if (this.evaluating.has(declaration)) return NOT_CONSTANT('a value that refers to itself');
    this.evaluating.add(declaration);
    try {
      declaration.value = declaration.compute();
    } finally {
      this.evaluating.delete(declaration);
    }
    return declaration.value;
  }

  private declare(name: string, scope: ts.Node, compute: () => SymbolValue): void {
    const list = this.declarations.get(name) ?? [];
    list.push({ start: scope.pos, end: scope.end, value: null, compute });
    this.declarations.set(name, list);
  }

  private declareStatement(statement: ts.Node, scope: ts.Node): void {
    if (compiler.isImportDeclaration(statement)) return this.declareImport(statement, scope);
    if (compiler.isVariableStatement(statement)) {
      const isConst = (statement.declarationList.flags & compiler.NodeFlags.Const) !== 0;
      for (const declaration of statement.declarationList.declarations) {
        this.declareVariable(declaration, scope, isConst);
      }
      return;
    }
    if (compiler.isClassDeclaration(statement) && statement.name) {
      const node = statement;
      return this.declare(statement.name.text, scope, () => this.classValue(node));
    }
    if (compiler.isEnumDeclaration(statement)) {
      const node = statement;
      return this.declare(statement.name.text, scope, () => this.enumValue(node));
    }
    if (compiler.isFunctionDeclaration(statement) && statement.name) {
      this.declare(statement.name.text, scope, () => NOT_CONSTANT('a function'));
    }
  }

  private declareImport(node: ts.ImportDeclaration, scope: ts.Node): void {
    const clause = node.importClause;
    if (!clause || !compiler.isStringLiteral(node.moduleSpecifier)) return;
    const specifier = node.moduleSpecifier.text;
    const imported = (name: string): SymbolValue => ({ import: specifier, name, path: [] });
    if (clause.name) this.declare(clause.name.text, scope, () => imported('default'));
    const bindings = clause.namedBindings;
    if (bindings && compiler.isNamespaceImport(bindings)) {
      this.declare(bindings.name.text, scope, () => imported('*'));
    } else if (bindings) {
      for (const element of bindings.elements) {
        const name = (element.propertyName ?? element.name).text;
        this.declare(element.name.text, scope, () => imported(name));
      }
    }
  }

  private declareVariable(node: ts.VariableDeclaration, scope: ts.Node, isConst: boolean): void {
    if (!compiler.isIdentifier(node.name)) {
      for (const name of bindingNames(node.name)) {
        this.declare(name, scope, () => NOT_CONSTANT(`${name} comes from destructuring`));
      }
      return;
    }
    const name = node.name.text;
    const initializer = node.initializer;
    if (!isConst || !initializer) {
      return this.declare(name, scope, () => NOT_CONSTANT(`${name} may change at run time`));
    }
    this.declare(name, scope, () => this.valueOf(initializer));
  }

  /**
   * Declarations below the top level whose block may hold an offset: those of the nodes whose
   * range holds it, and of default clauses that give their statements to such a node's block.
   * Nodes off that path declare nothing visible there, so their subtrees are left unread until a
   * lookup lands in them; what is declared is what a walk of the whole file would declare.
   */
  private collectInnerAt(at: number): void {
    this.collectChildrenOnPath(this.source, this.source, at);
  }

  /** Children come in text order: those before the offset are beside the path, and so are those after it. */
  private collectChildrenOnPath(node: ts.Node, inner: ts.Node, at: number): void {
    compiler.forEachChild(node, (child) => {
      if (child.pos > at) {
        if (!this.mayHoldDefaultClause) return true;
        this.searchOffPath(child, inner);
      } else if (child.end < at) {
        if (this.mayHoldDefaultClause) this.searchOffPath(child, inner);
      } else {
        this.collectOnPath(child, inner, at);
      }
      return undefined;
    });
  }

  private collectOnPath(node: ts.Node, scope: ts.Node, at: number): void {
    if (!this.declaredOwn.has(node)) {
      this.declaredOwn.add(node);
      this.declareOwn(node, scope);
    }
    this.collectChildrenOnPath(node, isBlockScope(node) ? node : scope, at);
  }

  /**
   * A subtree beside the path: only a default clause outside any nested block declares names
   * in the block above it (its statements take that block as their scope).
   */
  private searchOffPath(node: ts.Node, scope: ts.Node): void {
    if (isBlockScope(node) || this.searchedOff.has(node)) return;
    this.searchedOff.add(node);
    if (node.kind === SyntaxKind.DefaultClause && !this.declaredOwn.has(node)) {
      this.declaredOwn.add(node);
      this.declareOwn(node, scope);
    }
    compiler.forEachChild(node, (child) => this.searchOffPath(child, scope));
  }

  /** The names a node declares for the blocks below the top level. */
  private declareOwn(node: ts.Node, scope: ts.Node): void {
    if (compiler.isFunctionLike(node)) {
      for (const parameter of node.parameters) {
        for (const name of bindingNames(parameter.name)) {
          this.declare(name, node, () => NOT_CONSTANT(`${name} is a parameter`));
        }
      }
    }
    if (isLoop(node) && node.initializer && compiler.isVariableDeclarationList(node.initializer)) {
      for (const declaration of node.initializer.declarations) {
        for (const name of bindingNames(declaration.name)) {
          this.declare(name, node, () => NOT_CONSTANT(`${name} is a loop variable`));
        }
      }
    }
    if (compiler.isCatchClause(node) && node.variableDeclaration) {
      for (const name of bindingNames(node.variableDeclaration.name)) {
        this.declare(name, node, () => NOT_CONSTANT(`${name} is a caught error`));
      }
    }
    const inner = isBlockScope(node) ? node : scope;
    if (inner !== this.source && isStatementList(node)) {
      for (const statement of statementsOf(node)) this.declareStatement(statement, inner);
    }
  }

  private templateValue(node: ts.TemplateExpression): SymbolValue {
    const parts: SymbolValue[] = [{ text: node.head.text }];
    for (const span of node.templateSpans) {
      parts.push(this.valueOf(span.expression), { text: span.literal.text });
    }
    return concat(parts);
  }

  private binaryValue(node: ts.BinaryExpression): SymbolValue {
    if (node.operatorToken.kind !== SyntaxKind.PlusToken) {
      return NOT_CONSTANT('an expression evaluated at run time');
    }
    return concat([this.valueOf(node.left), this.valueOf(node.right)]);
  }

  private objectValue(node: ts.ObjectLiteralExpression): SymbolValue {
    const fields: Record<string, SymbolValue> = {};
    for (const property of node.properties) {
      const key = property.name ? propertyKey(property.name) : null;
      if (key == null) continue;
      if (compiler.isPropertyAssignment(property)) fields[key] = this.valueOf(property.initializer);
      else if (compiler.isShorthandPropertyAssignment(property)) {
        fields[key] = this.valueOf(property.name);
      }
    }
    return { fields };
  }

  private callValue(node: ts.CallExpression): SymbolValue {
    const callee = node.expression;
    const [first] = node.arguments;
    const name = compiler.isIdentifier(callee)
      ? callee.text
      : compiler.isPropertyAccessExpression(callee)
        ? callee.name.text
        : '';
    if (name === 'as' && compiler.isPropertyAccessExpression(callee)) return NOT_CONSTANT(SUBQUERY);
    if (DRIZZLE_TABLES.test(name) && first) return this.drizzleTable(first, null);
    if (DRIZZLE_SCHEMAS.test(name) && first) {
      const schema = this.valueOf(first);
      return 'text' in schema ? { fields: { '#schema': schema } } : schema;
    }
    if (
      (name === 'table' || name === 'view') &&
      compiler.isPropertyAccessExpression(callee) &&
      first
    ) {
      const owner = this.valueOf(callee.expression);
      const schema = 'fields' in owner ? owner.fields['#schema'] : undefined;
      if (schema && 'text' in schema) return this.drizzleTable(first, schema.text);
    }
    return NOT_CONSTANT('the result of a call');
  }

  private drizzleTable(nameNode: ts.Expression, schema: string | null): SymbolValue {
    const name = this.valueOf(nameNode);
    if (!('text' in name)) return NOT_CONSTANT('a Drizzle table whose name is not constant');
    return { table: { schema, name: name.text }, via: 'drizzle' };
  }

  private classValue(node: ts.ClassDeclaration): SymbolValue {
    const table = entityTableOf(node, (expression) => this.valueOf(expression));
    if (!table) return NOT_CONSTANT('a class that is not an entity');
    return { table, via: 'entity', relations: this.relationsOf(node) };
  }

  /** Property name → the entity it points at, for joins along a relation (`'order.lines'`). */
  private relationsOf(node: ts.ClassDeclaration): Record<string, SymbolValue> {
    const relations: Record<string, SymbolValue> = {};
    for (const member of node.members) {
      if (!compiler.isPropertyDeclaration(member) || !compiler.isIdentifier(member.name)) continue;
      const target = relationTargetOf(member);
      if (target) relations[member.name.text] = this.shallowEntity(target);
    }
    return relations;
  }

  /** An entity a relation points at, without its own relations (two entities point at each other). */
  shallowEntity(target: ts.Expression): SymbolValue {
    if (compiler.isStringLiteralLike(target)) {
      return { unknown: `the entity named '${target.text}'` };
    }
    const value = this.valueOf(target);
    if ('table' in value) return { table: value.table, via: value.via };
    return value;
  }

  private enumValue(node: ts.EnumDeclaration): SymbolValue {
    const fields: Record<string, SymbolValue> = {};
    for (const member of node.members) {
      const key = propertyKey(member.name);
      if (key != null && member.initializer) fields[key] = this.valueOf(member.initializer);
    }
    return { fields };
  }

  private addExportDeclaration(
    node: ts.ExportDeclaration,
    exports: Record<string, SymbolValue>,
    reexports: string[],
  ): void {
    const specifier =
      node.moduleSpecifier && compiler.isStringLiteral(node.moduleSpecifier)
        ? node.moduleSpecifier.text
        : null;
    const clause = node.exportClause;
    if (!clause) {
      if (specifier != null) reexports.push(detached(specifier));
      return;
    }
    if (!compiler.isNamedExports(clause)) return;
    for (const element of clause.elements) {
      const local = (element.propertyName ?? element.name).text;
      const value =
        specifier != null
          ? { import: specifier, name: local, path: [] }
          : this.lookup(local, node.getStart(this.source));
      if (!('unknown' in value)) exports[element.name.text] = detachedValue(value);
    }
  }
}

/** The entity a relation decorator's first argument names: `() => Order`, `type => Order`, `'Order'`. */
export function relationTargetOf(member: ts.PropertyDeclaration): ts.Expression | null {
  for (const decorator of compiler.getDecorators(member) ?? []) {
    const call = decorator.expression;
    if (!compiler.isCallExpression(call) || !compiler.isIdentifier(call.expression)) continue;
    if (!RELATION_DECORATORS.has(call.expression.text)) continue;
    const [first] = call.arguments;
    if (!first) return null;
    if (compiler.isArrowFunction(first) || compiler.isFunctionExpression(first)) {
      return compiler.isBlock(first.body) ? null : unwrap(first.body);
    }
    return first;
  }
  return null;
}

export const RELATION_DECORATORS = new Set(['ManyToOne', 'OneToMany', 'OneToOne', 'ManyToMany']);

function unwrap(node: ts.Expression): ts.Expression {
  let current = node;
  while (compiler.isParenthesizedExpression(current) || compiler.isAsExpression(current)) {
    current = current.expression;
  }
  return current;
}

/** A field of a value: of a constant object, or further into another file's export. */
function propertyKey(name: ts.PropertyName): string | null {
  if (
    compiler.isIdentifier(name) ||
    compiler.isStringLiteralLike(name) ||
    compiler.isNumericLiteral(name)
  ) {
    return name.text;
  }
  return null;
}

function bindingNames(name: ts.BindingName): string[] {
  if (compiler.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) =>
    compiler.isOmittedExpression(element) ? [] : bindingNames(element.name),
  );
}

function declaredNames(statement: ts.Statement): string[] {
  if (compiler.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((d) => bindingNames(d.name));
  }
  if (
    (compiler.isClassDeclaration(statement) || compiler.isEnumDeclaration(statement)) &&
    statement.name != null
  ) {
    return [statement.name.text];
  }
  return [];
}

function isExported(statement: ts.Statement): boolean {
  const modifiers = compiler.canHaveModifiers(statement)
    ? compiler.getModifiers(statement)
    : undefined;
  return modifiers?.some((modifier) => modifier.kind === SyntaxKind.ExportKeyword) ?? false;
}

function isBlockScope(node: ts.Node): boolean {
  return (
    compiler.isFunctionLike(node) ||
    compiler.isBlock(node) ||
    compiler.isModuleBlock(node) ||
    compiler.isCaseClause(node)
  );
}

function isLoop(node: ts.Node): node is ts.ForStatement | ts.ForOfStatement | ts.ForInStatement {
  return (
    compiler.isForStatement(node) ||
    compiler.isForOfStatement(node) ||
    compiler.isForInStatement(node)
  );
}

function isStatementList(node: ts.Node): boolean {
  return (
    compiler.isBlock(node) ||
    compiler.isModuleBlock(node) ||
    compiler.isCaseClause(node) ||
    compiler.isDefaultClause(node)
  );
}

function statementsOf(node: ts.Node): readonly ts.Statement[] {
  return (node as ts.Block).statements;
}
