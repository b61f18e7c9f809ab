import type { ts } from 'ts-morph';
import { ts as compiler } from '../compiler.js';
import type { BuilderFacts, BuilderStatement, TransactionFact } from '../facts.js';
import { chainOf, cteNames } from './chain.js';
import type { Chain, ChainReading, ReadingContext } from './chain.js';
import type { SymbolScope } from './constants.js';
import { readDrizzleWrites } from './drizzle.js';
import { readKnexChain } from './knex.js';
import { readKyselyChain } from './kysely.js';
import { readPrismaChain } from './prisma.js';
import { collectSqlTransactions, transactionOf } from './transactions.js';
import type { OpenTransaction } from './transactions.js';
import { collectRelations, collectRepositories, readTypeormChain } from './typeorm.js';

/**
 * Reads query builders and ORMs out of one file: each chain of builder calls is one statement,
 * with the tables it reads and writes. Names the file cannot settle (an imported constant, an
 * entity of another file, a Prisma model) stay symbolic for the project pass.
 */

/**
 * Text that query builder, ORM or transaction code holds; files without any are not walked. A
 * false "yes" costs a walk; a "no" must be exact for what the walk would find.
 *
 * Hints that are a short name called are tested as what may stand before a `(` (a lookbehind),
 * so that pattern is tried at each `(` of the text rather than at each word; hints that end in a
 * long name (x.model.findMany) read faster forwards. Together they take half the time of one
 * pattern tried at each word, on a tree of service code.
 */
const CALLEES = [
  // Builder and ORM vocabulary.
  /\b(?:knex|kysely|selectFrom|insertInto|replaceInto|updateTable|deleteFrom|mergeInto|getRepository|getTreeRepository|getMongoRepository|withRepository|createQueryBuilder|pgTable|mysqlTable|sqliteTable|pgView|mysqlView|pgSchema|mysqlSchema|\$?transaction|withSchema|joinRaw|fromRaw)/,
  // from/into on a builder, after a call (`select().from(t)`); into and tx on knex.
  /\)\s*\.\s*(?:from|into)|\.\s*(?:into|tx)/,
  // The names builder instances usually have, called with a table.
  /\b(?:knex|db|trx|tx|database|connection|conn|k)/,
];

/** Calls to a name above, and calls whose arguments tell: each tried at a `(`. */
const CALL_HINT = new RegExp(
  [
    `\\((?:(?<=(?:${CALLEES.map((hint) => hint.source).join('|')})\\s*\\()`,
    // from/into/table with a string: q.from('orders').
    String.raw`|(?<=\.\s*(?:from|into|table)\s*\()\s*['"\`]`,
    // Drizzle's writes and TypeORM's query builder take a table object: db.update(orders).
    String.raw`|(?<=\.\s*(?:insert|update|delete)\s*\()\s*[\w$.]+\s*\)`,
    // knex('orders').where(…), whatever the instance is called.
    String.raw`|\s*['"\`][\w.]+(?:\s+as\s+\w+)?['"\`]\s*\)\s*\.\s*\w+\s*\()`,
  ].join(''),
);

const MEMBER_HINTS = [
  // Prisma Client and TypeORM repositories and managers: x.model.findMany(…), repo.save(…).
  /\.\s*[\w$]+\s*\.\s*(?:find\w*|create\w*|update\w*|upsert|delete\w*|count\w*|aggregate|groupBy|save|insert|remove|softDelete|softRemove|restore|increment|decrement|exist\w*|preload)\s*\(/,
  /\[[\w$.]+\]\s*\.\s*(?:find\w*|create\w*|update\w*|upsert|delete\w*|count)\s*\(/,
  /\b(?:manager|em|entityManager)\s*\.\s*\w+\s*\(/,
  // Entities, relations and injected or typed repositories.
  /@(?:Entity|ViewEntity|ManyToOne|OneToMany|OneToOne|ManyToMany|InjectRepository)\b|\bRepository\s*</,
];

/** One pattern scans the text once, which costs less than one scan per hint. */
const MEMBER_HINT = new RegExp(MEMBER_HINTS.map((hint) => hint.source).join('|'));

/** BEGIN … COMMIT sent as SQL. */
const BEGIN_HINT = /['"`]\s*(?:BEGIN|START\s+TRANSACTION)\b/i;
const RELATION_HINT = /@(?:ManyToOne|OneToMany|OneToOne|ManyToMany)\b/;

export function mayHoldBuilders(text: string): boolean {
  return CALL_HINT.test(text) || MEMBER_HINT.test(text) || BEGIN_HINT.test(text);
}

/** Links whose callbacks run on their own: statements in them are not part of the chain. */
const SEPARATE_CALLBACKS = /^(?:then|catch|finally|map|forEach|filter|reduce|flatMap|on|use)$/;

const READERS: ((chain: Chain, context: ReadingContext) => ChainReading | null)[] = [
  readPrismaChain,
  readTypeormChain,
  readKyselyChain,
  readKnexChain,
  readDrizzleWrites,
];

export function extractBuilders(
  source: ts.SourceFile,
  scope: SymbolScope,
  sqlCalls: ReadonlySet<string>,
): BuilderFacts | undefined {
  // The passes below walk the whole file; each runs only where its vocabulary occurs.
  const text = source.text;
  const context: ReadingContext = {
    source,
    scope,
    repositories: /Repository/.test(text) ? collectRepositories(source, scope) : new Map(),
  };
  const walker = new BuilderWalker(context, sqlCalls);
  walker.visit(source);
  if (BEGIN_HINT.test(text)) {
    walker.transactions.push(...collectSqlTransactions(source, sqlCalls));
  }
  const relations = RELATION_HINT.test(text) ? collectRelations(source, scope) : [];

  const { statements, transactions, ctes } = walker;
  if (statements.length + transactions.length + relations.length + ctes.size === 0) {
    return undefined;
  }
  const facts: BuilderFacts = { statements, transactions, relations };
  if (ctes.size > 0) facts.ctes = [...ctes].sort();
  return facts;
}

class BuilderWalker {
  readonly statements: BuilderStatement[] = [];
  readonly transactions: TransactionFact[] = [];
  readonly ctes = new Set<string>();
  private readonly open: OpenTransaction[] = [];
  private current: BuilderStatement | null = null;

  constructor(
    private readonly context: ReadingContext,
    private readonly sqlCalls: ReadonlySet<string>,
  ) {}

  visit(node: ts.Node): void {
    if (compiler.isCallExpression(node)) return this.visitChain(node);
    if (compiler.isTaggedTemplateExpression(node)) this.noteTaggedSql(node);
    compiler.forEachChild(node, (child) => this.visit(child));
  }

  private visitChain(node: ts.CallExpression): void {
    const chain = chainOf(node, this.context.source);
    for (const name of cteNames(chain)) this.ctes.add(name);
    const transaction = transactionOf(chain, this.context.source);
    if (transaction) return this.visitTransaction(chain, transaction);

    const reading = this.read(chain);
    if (!reading) {
      this.noteSqlCall(chain);
      return this.visitParts(chain);
    }
    if (this.current) {
      this.current.tables.push(...reading.tables);
      return this.visitParts(chain);
    }

    const statement: BuilderStatement = {
      library: reading.library,
      offset: chain.start,
      end: chain.end,
      tables: reading.tables,
    };
    const index = this.transactionFor(chain);
    if (index != null) statement.transaction = index;
    this.statements.push(statement);
    this.current = statement;
    try {
      this.visitParts(chain);
    } finally {
      this.current = null;
    }
  }

  /** The first reader that finds tables; a chain is read by one library. */
  private read(chain: Chain): ChainReading | null {
    for (const reader of READERS) {
      const reading = reader(chain, this.context);
      if (reading && reading.tables.length > 0) return reading;
    }
    return null;
  }

  private visitParts(chain: Chain): void {
    this.visit(chain.root);
    for (const link of chain.links) {
      if (!link.args) continue;
      if (SEPARATE_CALLBACKS.test(link.name ?? '')) {
        const outer = this.current;
        this.current = null;
        link.args.forEach((arg) => this.visit(arg));
        this.current = outer;
      } else {
        link.args.forEach((arg) => this.visit(arg));
      }
    }
  }

  private visitTransaction(
    chain: Chain,
    transaction: NonNullable<ReturnType<typeof transactionOf>>,
  ): void {
    const index = this.transactions.length;
    this.transactions.push({ offset: transaction.offset, kind: transaction.kind, sqlRanges: [] });
    this.visit(chain.root);
    for (const link of chain.links) {
      for (const arg of link.args ?? []) {
        if (arg !== transaction.body) {
          this.visit(arg);
          continue;
        }
        this.open.push({ index, param: transaction.param });
        const outer = this.current;
        this.current = null;
        try {
          this.visit(arg);
        } finally {
          this.open.pop();
          this.current = outer;
        }
      }
    }
  }

  /** The innermost open transaction the chain runs in: its root is the callback's parameter. */
  private transactionFor(chain: Chain): number | null {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const open = this.open[i]!;
      if (open.param == null || open.param === chain.rootName) return open.index;
      const transacting = chain.links.find((link) => link.name === 'transacting');
      const arg = transacting?.args?.[0];
      if (arg && compiler.isIdentifier(arg) && arg.text === open.param) return open.index;
    }
    return null;
  }

  /** `trx.raw('INSERT …')`, `tx.$executeRaw(…)` inside a transaction: its SQL belongs to it. */
  private noteSqlCall(chain: Chain): void {
    const last = chain.links.at(-1);
    if (!last?.args?.length || !this.sqlCalls.has(last.name ?? '')) return;
    const index = this.transactionFor(chain);
    if (index == null) return;
    const start = last.args[0]!.getStart(this.context.source);
    this.transactions[index]!.sqlRanges.push([start, last.args.at(-1)!.end]);
  }

  private noteTaggedSql(node: ts.TaggedTemplateExpression): void {
    const chain = chainOf(node.tag, this.context.source);
    const name = chain.links.at(-1)?.name ?? chain.rootName ?? '';
    if (!this.sqlCalls.has(name)) return;
    const index = this.transactionFor(chain);
    if (index == null) return;
    this.transactions[index]!.sqlRanges.push([
      node.template.getStart(this.context.source),
      node.end,
    ]);
  }
}
