import type { ts } from 'ts-morph';
import { ts as compiler } from './compiler.js';
import type { Dialect } from '../sql/types.js';
import type {
  FileFacts,
  ImportFact,
  Runs,
  SqlChunk,
  SqlFact,
  SqlHole,
  SqlOrigin,
  SqlPart,
  SuppressionComment,
  SyntaxProblem,
} from './facts.js';
import { extractBuilders, mayHoldBuilders } from './builders/index.js';
import { SymbolScope } from './builders/constants.js';
import { constantChunk, detached } from './facts.js';
import { FIT, renderSql } from './render.js';
import { isSqlText, mayStartStatement } from './sql-detect.js';
import type { SqlSite } from './sql-detect.js';

/**
 * Reads imports and SQL out of one file. It walks the plain compiler tree of ts-morph's bundled
 * TypeScript: no Project, no wrapped nodes and no type checker, which cost many times the time
 * and memory of this walk for the same answer.
 */

// ts-morph's bundled compiler exposes its members through getters; reading them once here keeps
// the walk, which touches every node of every file, off that path.
const SyntaxKind = compiler.SyntaxKind;
const {
  forEachChild,
  isBinaryExpression,
  isCallExpression,
  isExternalModuleReference,
  isIdentifier,
  isLiteralTypeNode,
  isNoSubstitutionTemplateLiteral,
  isParenthesizedExpression,
  isPropertyAccessExpression,
  isStringLiteral,
  isStringLiteralLike,
  isTemplateExpression,
  isTemplateTail,
} = compiler;

/** Calls whose string arguments are run as SQL. */
export const SQL_CALLS: ReadonlySet<string> = new Set([
  'query',
  'queryOne',
  'queryRaw',
  'execute',
  'executeRaw',
  'executeQuery',
  'raw',
  'sql',
  'unsafe',
  'prepare',
  'one',
  'oneOrNone',
  'many',
  'manyOrNone',
  'any',
  'none',
  'result',
  'multi',
  '$queryRaw',
  '$executeRaw',
  '$queryRawUnsafe',
  '$executeRawUnsafe',
]);

/** Calls whose string arguments are words for people: logs, errors, test titles, translations. */
const PROSE_CALLS = new Set([
  'log',
  'info',
  'warn',
  'warning',
  'error',
  'debug',
  'trace',
  'fatal',
  'verbose',
  'silly',
  'notice',
  'critical',
  'describe',
  'it',
  'test',
  'suite',
  't',
  'translate',
  'alert',
  'confirm',
  'prompt',
]);

/** Tags of templates that are some other language. */
const OTHER_LANGUAGE_TAGS = /^(?:gql|graphql|css|html|md|markdown|styled|keyframes|injectGlobal)$/;

/** JSDoc comments are left as comments: nothing here reads their tags, and parsing them costs. */
const PARSE_OPTIONS = {
  languageVersion: compiler.ScriptTarget.Latest,
  jsDocParsingMode: compiler.JSDocParsingMode.ParseNone,
};

export function extractFile(fileName: string, text: string, dialect: Dialect): FileFacts {
  const source = compiler.createSourceFile(
    fileName,
    text,
    PARSE_OPTIONS,
    false,
    scriptKindOf(fileName),
  );
  const scope = new SymbolScope(source);
  const walker = new FactWalker(source, dialect, scope);
  if (mayHoldSqlOrNestedImports(text)) {
    walker.visit(source, 'other');
  } else {
    // Most files hold neither SQL nor import() calls: their imports are all at the top level.
    for (const statement of source.statements) {
      if (isTopLevelImport(statement)) walker.visit(statement, 'other');
    }
  }
  const facts: FileFacts = {
    imports: walker.imports,
    sql: walker.sql,
    syntaxErrors: syntaxErrorsOf(source),
    suppressions: suppressionsOf(source),
  };
  const builders = mayHoldBuilders(text) ? extractBuilders(source, scope, SQL_CALLS) : undefined;
  if (builders) facts.builders = builders;
  const { exports, reexports } = scope.exportsOf();
  if (Object.keys(exports).length > 0) facts.exports = exports;
  if (reexports.length > 0) facts.reexports = reexports;
  return facts;
}

/**
 * A cheap look at the text before the walk: SQL can only start right after a quote (after blanks,
 * an opening parenthesis, a line continuation or a comment inside it), and an import below the top level needs `import(` or
 * `require(`. A false "yes" costs a full walk; a "no" is exact for what the walk would find.
 */
const STATEMENT_WORDS =
  'select|insert|update|delete|with|merge|create|alter|drop|truncate|grant|revoke|comment|copy|lock|refresh|replace|upsert|call|prepare|execute|listen|notify|unlisten|load|handler|rename|vacuum|analyze|reindex|cluster|do|begin|commit|rollback|savepoint|set|show|explain|values|table';
/**
 * After a quote: a statement's first word in any case (or a comment), or an uppercase word where
 * SQL is run. One pattern scans the text once; it has no case-insensitive flag, which the second
 * half must not have, so the first half spells each letter in both cases.
 */
const SQL_AFTER_QUOTE = new RegExp(
  String.raw`['"\`](?:(?:[\s(]|\\(?:\r?\n|[nrtNRT]))*(?:--|\/\*|(?:${bothCases(STATEMENT_WORDS)})\b)` +
    String.raw`|(?:[\s(]|\\(?:\r?\n|[nrt]))*[A-Z]{3,}\b)`,
);
const NESTED_IMPORT = /\b(?:import|require)\s*\(/;
/** `pool.query(ORDERS_SQL)`: SQL held in a constant, maybe of another file. */
const NAMED_QUERY =
  /\b(?:query|execute|raw|unsafe|\$queryRaw\w*|\$executeRaw\w*)\s*\(\s*[\w.]+\s*[,)]/;

function mayHoldSqlOrNestedImports(text: string): boolean {
  return SQL_AFTER_QUOTE.test(text) || NESTED_IMPORT.test(text) || NAMED_QUERY.test(text);
}

function bothCases(words: string): string {
  return words.replace(/[a-z]/g, (letter) => `[${letter}${letter.toUpperCase()}]`);
}

function isTopLevelImport(node: ts.Node): boolean {
  return (
    node.kind === SyntaxKind.ImportDeclaration ||
    node.kind === SyntaxKind.ExportDeclaration ||
    node.kind === SyntaxKind.ImportEqualsDeclaration
  );
}

function scriptKindOf(fileName: string): ts.ScriptKind {
  if (fileName.endsWith('.tsx')) return compiler.ScriptKind.TSX;
  if (fileName.endsWith('.jsx')) return compiler.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(fileName)) return compiler.ScriptKind.JS;
  return compiler.ScriptKind.TS;
}

function syntaxErrorsOf(source: ts.SourceFile): SyntaxProblem[] {
  const diagnostics =
    (source as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  return diagnostics.map((diagnostic) => ({
    offset: diagnostic.start ?? 0,
    message: compiler.flattenDiagnosticMessageText(diagnostic.messageText, ' '),
  }));
}

type Piece =
  { kind: 'text'; node: ts.Node; raw: string; rawStart: number } | { kind: 'value'; node: ts.Node };

class FactWalker {
  readonly imports: ImportFact[] = [];
  readonly sql: SqlFact[] = [];
  /** The innermost code statement being walked, whose start suppression comments aim at. */
  private statement: ts.Node | null = null;

  constructor(
    private readonly source: ts.SourceFile,
    private readonly dialect: Dialect,
    private readonly scope: SymbolScope,
  ) {}

  visit(node: ts.Node, site: SqlSite): void {
    switch (node.kind) {
      case SyntaxKind.ImportDeclaration:
        return this.visitImport(node as ts.ImportDeclaration);
      case SyntaxKind.ExportDeclaration:
        return this.visitExport(node as ts.ExportDeclaration);
      case SyntaxKind.ImportEqualsDeclaration:
        return this.visitImportEquals(node as ts.ImportEqualsDeclaration);
      case SyntaxKind.CallExpression:
        return this.visitCall(node as ts.CallExpression);
      case SyntaxKind.NewExpression:
        return this.visitNew(node as ts.NewExpression);
      case SyntaxKind.TaggedTemplateExpression:
        return this.visitTaggedTemplate(node as ts.TaggedTemplateExpression);
      case SyntaxKind.ThrowStatement:
        return this.visitChildren(node, 'prose');
      case SyntaxKind.ImportType:
        return this.visitImportType(node as ts.ImportTypeNode);
      case SyntaxKind.JsxAttribute:
        return this.visitJsxAttribute(node as ts.JsxAttribute);
      case SyntaxKind.StringLiteral:
      case SyntaxKind.NoSubstitutionTemplateLiteral:
      case SyntaxKind.TemplateExpression:
        return this.visitString(node, site, site === 'sql' ? 'sql-call' : 'literal');
      case SyntaxKind.BinaryExpression:
        return this.visitBinary(node as ts.BinaryExpression, site);
      case SyntaxKind.ParenthesizedExpression:
      case SyntaxKind.AsExpression:
      case SyntaxKind.SatisfiesExpression:
      case SyntaxKind.NonNullExpression:
      case SyntaxKind.ConditionalExpression:
        // A query wrapped in parentheses, a cast or a ternary is still the query.
        return this.visitChildren(node, site);
      case SyntaxKind.ObjectLiteralExpression:
        return this.visitObject(node as ts.ObjectLiteralExpression, site);
      case SyntaxKind.ExpressionStatement:
      case SyntaxKind.VariableStatement:
      case SyntaxKind.ReturnStatement:
      case SyntaxKind.PropertyDeclaration:
      case SyntaxKind.ExportAssignment:
        return this.visitStatement(node);
      default:
        return this.visitChildren(node, 'other');
    }
  }

  private visitChildren(node: ts.Node, site: SqlSite): void {
    forEachChild(node, (child) => this.visit(child, site));
  }

  private addImport(specifier: ts.Expression | undefined, kind: ImportFact['kind']): void {
    if (!specifier || !isStringLiteralLike(specifier)) return;
    this.imports.push({
      specifier: detached(specifier.text),
      kind,
      offset: specifier.getStart(this.source),
    });
  }

  private visitImport(node: ts.ImportDeclaration): void {
    this.addImport(node.moduleSpecifier, node.importClause?.isTypeOnly ? 'type' : 'static');
  }

  private visitExport(node: ts.ExportDeclaration): void {
    this.addImport(node.moduleSpecifier, node.isTypeOnly ? 'type' : 'export');
  }

  private visitImportEquals(node: ts.ImportEqualsDeclaration): void {
    if (isExternalModuleReference(node.moduleReference)) {
      this.addImport(node.moduleReference.expression, node.isTypeOnly ? 'type' : 'require');
    }
  }

  /** `type T = import('../b/model').T`: a type-only dependency on that file. */
  private visitImportType(node: ts.ImportTypeNode): void {
    const argument = node.argument;
    if (isLiteralTypeNode(argument)) {
      this.addImport(argument.literal as ts.Expression, 'type');
    }
    this.visitChildren(node, 'other');
  }

  /** Attribute text is for people (title, placeholder, aria-label) unless the attribute says it is SQL. */
  private visitJsxAttribute(node: ts.JsxAttribute): void {
    const name = isIdentifier(node.name) ? node.name.text : '';
    this.visitChildren(node, /sql|query/i.test(name) ? 'sql' : 'prose');
  }

  private visitCall(node: ts.CallExpression): void {
    const [first] = node.arguments;
    if (node.expression.kind === SyntaxKind.ImportKeyword) {
      this.addImport(first, 'dynamic');
    } else if (
      isIdentifier(node.expression) &&
      node.expression.text === 'require' &&
      node.arguments.length === 1
    ) {
      this.addImport(first, 'require');
    }

    this.visit(node.expression, 'other');
    const site = siteOfCallee(calleeName(node.expression));
    if (site === 'sql' && first && isNamedValue(first)) this.collectNamedQuery(first);
    for (const argument of node.arguments) this.visit(argument, site);
  }

  /**
   * `pool.query(ORDERS_BY_CUSTOMER)`: SQL held in a constant. Text that reads as SQL on its own is
   * checked where the constant is declared; the rest (a fragment, a constant of another file) is
   * checked here.
   */
  private collectNamedQuery(node: ts.Expression): void {
    const value = this.scope.valueOf(node);
    if ('text' in value && isSqlText(value.text, 'other')) return;
    if (!('text' in value) && !('import' in value) && !('concat' in value)) return;
    const fact = buildSql([{ kind: 'value', node }], this.dialect, this.source, this.scope, true);
    if (fact && ('text' in value ? isSqlText(fact.text, 'sql') : true)) {
      this.sql.push({ ...fact, origin: 'sql-call' });
    }
  }

  private visitNew(node: ts.NewExpression): void {
    const name = calleeName(node.expression) ?? '';
    const site: SqlSite = /(?:Error|Exception)$/.test(name) ? 'prose' : 'other';
    this.visit(node.expression, 'other');
    for (const argument of node.arguments ?? []) this.visit(argument, site);
  }

  private visitTaggedTemplate(node: ts.TaggedTemplateExpression): void {
    const tag = calleeName(node.tag) ?? '';
    this.visit(node.tag, 'other');
    if (OTHER_LANGUAGE_TAGS.test(tag) || isStringRaw(node.tag)) {
      return this.visitChildren(node.template, 'other');
    }
    const isSqlTag = /sql$/i.test(tag) || SQL_CALLS.has(tag);
    this.visitString(node.template, isSqlTag ? 'sql' : 'other', isSqlTag ? 'sql-tag' : 'literal');
  }

  private visitObject(node: ts.ObjectLiteralExpression, site: SqlSite): void {
    // pg's query config object: pool.query({ text: 'SELECT …', values }).
    for (const property of node.properties) {
      const name = property.name && isIdentifier(property.name) ? property.name.text : null;
      const inner: SqlSite =
        site === 'sql' && (name === 'text' || name === 'sql') ? 'sql' : 'other';
      this.visitChildren(property, inner);
    }
  }

  private visitStatement(node: ts.Node): void {
    const outer = this.statement;
    this.statement = node;
    this.visitChildren(node, 'other');
    this.statement = outer;
  }

  private visitBinary(node: ts.BinaryExpression, site: SqlSite): void {
    if (node.operatorToken.kind !== SyntaxKind.PlusToken) {
      return this.visitChildren(node, 'other');
    }
    const operands = flattenConcatenation(node);
    if (!operands.some(isStringNode)) return this.visitChildren(node, 'other');
    this.collect(operands, site, site === 'sql' ? 'sql-call' : 'literal');
  }

  private visitString(node: ts.Node, site: SqlSite, origin: SqlOrigin): void {
    this.collect([node], site, origin);
  }

  /** Builds the SQL text of a string expression, records it when it is SQL, and walks the values in it. */
  private collect(operands: ts.Node[], site: SqlSite, origin: SqlOrigin): void {
    const pieces = operands.flatMap((operand) => this.piecesOf(operand));
    const fact = this.cannotBeSql(pieces, site)
      ? null
      : buildSql(pieces, this.dialect, this.source, this.scope);
    if (fact && isSqlText(fact.text, site)) {
      const statementOffset = this.statement?.getStart(this.source);
      this.sql.push({ ...fact, origin, ...(statementOffset == null ? {} : { statementOffset }) });
    }

    for (const piece of pieces) {
      if (piece.kind === 'value') this.visit(piece.node, 'other');
    }
  }

  /**
   * Text that cannot be SQL whatever its values hold is not built: prose, or a first word that
   * starts no statement. Its values are looked up all the same until the file's first lookup
   * below the top level, which changes what later module-level lookups see (SymbolScope.lookup).
   */
  private cannotBeSql(pieces: Piece[], site: SqlSite): boolean {
    if (site === 'sql') return false;
    const hasValues = pieces.some((piece) => piece.kind === 'value');
    if (hasValues && !this.scope.readsInnerDeclarations) return false;
    if (site === 'prose') return true;
    const [first] = pieces;
    if (first?.kind !== 'text') return false;
    return !mayStartStatement(decodeChunk(first.raw, first.rawStart).text);
  }

  private piecesOf(node: ts.Node): Piece[] {
    const text = this.source.text;
    if (isStringLiteral(node) || isNoSubstitutionTemplateLiteral(node)) {
      const start = node.getStart(this.source);
      return [
        { kind: 'text', node, raw: text.slice(start + 1, node.end - 1), rawStart: start + 1 },
      ];
    }
    if (isTemplateExpression(node)) {
      const headStart = node.head.getStart(this.source);
      const pieces: Piece[] = [
        {
          kind: 'text',
          node: node.head,
          raw: text.slice(headStart + 1, node.head.end - 2),
          rawStart: headStart + 1,
        },
      ];
      for (const span of node.templateSpans) {
        pieces.push({ kind: 'value', node: span.expression });
        const literalStart = span.literal.getStart(this.source);
        const closing = isTemplateTail(span.literal) ? 1 : 2;
        pieces.push({
          kind: 'text',
          node: span.literal,
          raw: text.slice(literalStart + 1, span.literal.end - closing),
          rawStart: literalStart + 1,
        });
      }
      return pieces;
    }
    return [{ kind: 'value', node }];
  }
}

function calleeName(expression: ts.Expression): string | null {
  if (isIdentifier(expression)) return expression.text;
  if (isPropertyAccessExpression(expression)) return expression.name.text;
  if (isCallExpression(expression)) return calleeName(expression.expression);
  return null;
}

function isStringRaw(tag: ts.Expression): boolean {
  return (
    isPropertyAccessExpression(tag) &&
    isIdentifier(tag.expression) &&
    tag.expression.text === 'String' &&
    tag.name.text === 'raw'
  );
}

function siteOfCallee(name: string | null): SqlSite {
  if (name == null) return 'other';
  if (SQL_CALLS.has(name)) return 'sql';
  if (PROSE_CALLS.has(name)) return 'prose';
  return 'other';
}

function isStringNode(node: ts.Node): boolean {
  return (
    isStringLiteral(node) || isNoSubstitutionTemplateLiteral(node) || isTemplateExpression(node)
  );
}

/** The operands of a chain of +, left to right; a loop, since real files hold chains of thousands. */
function flattenConcatenation(node: ts.Expression): ts.Expression[] {
  const operands: ts.Expression[] = [];
  const pending: ts.Expression[] = [node];
  while (pending.length > 0) {
    let current = pending.pop()!;
    while (isParenthesizedExpression(current)) current = current.expression;
    if (isBinaryExpression(current) && current.operatorToken.kind === SyntaxKind.PlusToken) {
      pending.push(current.right, current.left);
    } else {
      operands.push(current);
    }
  }
  return operands;
}

/** Joins the pieces into the fact's parts, and renders its text with each value fitted to its place. */
function buildSql(
  pieces: Piece[],
  dialect: Dialect,
  source: ts.SourceFile,
  scope: SymbolScope,
  named = false,
): Omit<SqlFact, 'origin'> | null {
  const first = named ? pieces[0] : pieces.find((piece) => piece.kind === 'text');
  if (!first) return null;

  const parts: SqlPart[] = pieces.map((piece) =>
    piece.kind === 'value'
      ? partOfValue(piece.node, source, scope)
      : decodeChunk(piece.raw, piece.rawStart),
  );
  const { text, runs } = renderSql(parts, dialect, FIT);
  const interpolations = parts.filter(isHolePart).length;
  return { parts, text, runs, offset: first.node.getStart(source), interpolations };
}

function isHolePart(part: SqlPart): boolean {
  return 'hole' in part;
}

function isNamedValue(node: ts.Expression): boolean {
  return (
    isIdentifier(node) ||
    isPropertyAccessExpression(node) ||
    compiler.isElementAccessExpression(node)
  );
}

/**
 * A value in SQL text: a constant's text when the file settles it (each of its characters maps to
 * the value's place), a hole the project pass may fill when it comes from another file, else a hole.
 */
function partOfValue(node: ts.Node, source: ts.SourceFile, scope: SymbolScope): SqlPart {
  const hole = holeOf(node, source);
  if (hole.isName || !isNamedValueOrText(node)) return hole;
  const value = scope.valueOf(node);
  if ('text' in value) return constantChunk(value.text, hole.hole);
  if ('import' in value || 'concat' in value) return { ...hole, ref: value };
  return hole;
}

function isNamedValueOrText(node: ts.Node): boolean {
  return isNamedValue(node as ts.Expression) || isTemplateExpression(node);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
};

/** Helpers that quote an identifier: what they return is a name, not a value. */
const IDENTIFIER_QUOTERS =
  /^(?:ident|identifier|quoteIdent|quoteIdentifier|quote_ident|escapeId|escapeIdentifier|sqlIdentifier)$/;

function holeOf(node: ts.Node, source: ts.SourceFile): SqlHole {
  const hole = node.getStart(source);
  const quotesName =
    isCallExpression(node) &&
    IDENTIFIER_QUOTERS.test(calleeName(node.expression as ts.Expression) ?? '');
  return quotesName ? { hole, isName: true } : { hole };
}

/** The cooked value of a literal's raw text, with a run wherever an escape breaks the mapping. */
function decodeChunk(raw: string, rawStart: number): SqlChunk {
  const runs: Runs = [[0, rawStart]];
  if (!raw.includes('\\')) return { text: raw, runs };

  let text = '';
  let index = 0;
  while (index < raw.length) {
    const slash = raw.indexOf('\\', index);
    if (slash < 0) {
      text += raw.slice(index);
      break;
    }
    text += raw.slice(index, slash);
    const { value, length } = readEscape(raw, slash);
    text += value;
    index = slash + length;
    runs.push([text.length, rawStart + index]);
  }
  return { text, runs };
}

function readEscape(raw: string, slash: number): { value: string; length: number } {
  const next = raw[slash + 1] ?? '';
  if (next === '\r') return { value: '', length: raw[slash + 2] === '\n' ? 3 : 2 };
  if (next === '\n' || next === '\u2028' || next === '\u2029') return { value: '', length: 2 };
  if (next in SIMPLE_ESCAPES) return { value: SIMPLE_ESCAPES[next]!, length: 2 };
  if (next === 'x') return hexEscape(raw.slice(slash + 2, slash + 4), 4);
  if (next === 'u' && raw[slash + 2] === '{') {
    const close = raw.indexOf('}', slash + 3);
    if (close < 0) return { value: '', length: 2 };
    return hexEscape(raw.slice(slash + 3, close), close - slash + 1);
  }
  if (next === 'u') return hexEscape(raw.slice(slash + 2, slash + 6), 6);
  return { value: next, length: 2 };
}

function hexEscape(hex: string, length: number): { value: string; length: number } {
  const code = Number.parseInt(hex, 16);
  const value = Number.isNaN(code) || code > 0x10ffff ? '' : String.fromCodePoint(code);
  return { value, length };
}

const SUPPRESSION_MARKER = 'dbboundary-ignore';

interface CommentSpan {
  start: number;
  end: number;
  kind: ts.SyntaxKind;
}

/**
 * The comments that start with `dbboundary-ignore…`. Few files have any, so the text is searched
 * for the marker first, and only where it occurs is the tree asked whether that spot is a comment
 * (and not a string, a template or JSX text that mentions it).
 */
function suppressionsOf(source: ts.SourceFile): SuppressionComment[] {
  const text = source.text;
  const found: SuppressionComment[] = [];

  let at = text.indexOf(SUPPRESSION_MARKER);
  while (at >= 0) {
    const comment = commentAt(source, at);
    const suppression = comment && readSuppression(source, comment);
    if (suppression) found.push(suppression);
    at = text.indexOf(SUPPRESSION_MARKER, comment ? comment.end : at + 1);
  }
  return found;
}

/** The comment that holds a position, or null when the position is in code or in a literal. */
function commentAt(source: ts.SourceFile, position: number): CommentSpan | null {
  const { node, gapStart } = innermostAt(source, position);
  if (isTextToken(node) && position >= node.getStart(source)) return null;

  // From gapStart to the position there are only trivia and the node's punctuation or keywords,
  // which a scanner started there reads as the parser did.
  const scanner = compiler.createScanner(
    compiler.ScriptTarget.Latest,
    false,
    source.languageVariant,
    source.text,
    undefined,
    gapStart,
  );
  while (scanner.scan() !== SyntaxKind.EndOfFileToken) {
    if (scanner.getTokenEnd() <= position) continue;
    const kind = scanner.getToken();
    const isComment =
      kind === SyntaxKind.SingleLineCommentTrivia || kind === SyntaxKind.MultiLineCommentTrivia;
    return isComment ? { start: scanner.getTokenStart(), end: scanner.getTokenEnd(), kind } : null;
  }
  return null;
}

/**
 * The innermost node whose full range (leading trivia included) holds the position, and where
 * the gap that holds it starts: the end of the last child before it, or the node's own start.
 */
function innermostAt(source: ts.SourceFile, position: number): { node: ts.Node; gapStart: number } {
  let node: ts.Node = source;
  for (;;) {
    let inside: ts.Node | undefined;
    let gapStart = node.pos;
    forEachChild(node, (child) => {
      if (child.end <= position) {
        gapStart = child.end;
        return undefined;
      }
      if (child.pos <= position) inside = child;
      return true;
    });
    if (!inside) return { node, gapStart };
    node = inside;
  }
}

/** Tokens with text of their own, in which the marker would be data, not a comment. */
function isTextToken(node: ts.Node): boolean {
  return (
    (node.kind >= SyntaxKind.FirstLiteralToken && node.kind <= SyntaxKind.LastTemplateToken) ||
    node.kind === SyntaxKind.Identifier ||
    node.kind === SyntaxKind.PrivateIdentifier
  );
}

/**
 * Reads `dbboundary-ignore-next-line <rule>[, <rule>…] -- <reason>` out of a comment. A comment
 * that only mentions the marker later in its text is prose, not a suppression.
 */
function readSuppression(source: ts.SourceFile, comment: CommentSpan): SuppressionComment | null {
  const match = /^\s*(dbboundary-ignore[\w-]*)(?=\s|$)([\s\S]*)$/.exec(
    commentBody(source, comment),
  );
  if (!match) return null;

  const rest = match[2]!;
  const dash = /(?:^|\s)--(?:\s|$)/.exec(rest);
  const names = dash ? rest.slice(0, dash.index) : rest;
  const reason = dash ? rest.slice(dash.index + dash[0].length) : null;

  const start = source.getLineAndCharacterOfPosition(comment.start);
  const end = source.getLineAndCharacterOfPosition(comment.end);
  return {
    line: start.line + 1,
    column: start.character + 1,
    offset: comment.start,
    nextLine: end.line + 2,
    directive: match[1]!,
    rules: names.split(/[\s,]+/).filter(Boolean),
    reason: reason == null ? null : reason.replace(/\s+/g, ' ').trim(),
  };
}

/** A comment's text without `//`, or without `/*`, `*\/` and the `*` that starts JSDoc lines. */
function commentBody(source: ts.SourceFile, comment: CommentSpan): string {
  const text = source.text.slice(comment.start + 2, comment.end);
  if (comment.kind === SyntaxKind.SingleLineCommentTrivia) return text;
  return text.replace(/\*\/$/, '').replace(/^\s*\*+(?!\/)/gm, ' ');
}
