/**
 * Facts of a .sql file (a migration, a schema dump, views and functions): its statements, each
 * with its place in the file, and its suppression comments. The file is cut into statements here
 * so that one statement the parser rejects does not hide the others.
 */
import type { Dialect } from '../sql/types.js';
import type { FileFacts, SqlFact, SqlPart, SuppressionComment } from './facts.js';
import { isHole } from './facts.js';
import { FIT, renderSql } from './render.js';

interface Span {
  start: number;
  end: number;
}

interface StatementSpan extends Span {
  /** Text that stands after the statement's own (psql's `\copy … FROM file` reads as FROM STDIN). */
  suffix?: string;
  /** Offset of a psql `\gexec` that runs what the statement returns as SQL. */
  gexec?: number;
}

interface Scan {
  statements: StatementSpan[];
  comments: Span[];
}

const SUPPRESSION_MARKER = 'dbboundary-ignore';

export function isSqlFile(file: string): boolean {
  return /\.sql$/i.test(file);
}

export function extractSqlFile(written: string, dialect: Dialect): FileFacts {
  const text = dialect === 'mysql' ? withExecutableComments(written) : written;
  const scan = new StatementScanner(text, dialect).run();
  return {
    imports: [],
    sql: scan.statements.map((span) => statementFact(text, span, dialect)),
    syntaxErrors: [],
    suppressions: scan.comments.flatMap((span) => suppressionOf(text, span) ?? []),
  };
}

/**
 * MySQL runs the text of `/*!50001 … *\/` comments, and mysqldump writes views, triggers and
 * session settings that way. The markers become blanks of the same length, so the text inside
 * is read as the server reads it and every offset stays valid.
 */
function withExecutableComments(text: string): string {
  return text.replace(/\/\*!\d*([^]*?)\*\//g, (whole: string, inner: string) => {
    const opener = whole.length - inner.length - 2;
    return `${' '.repeat(opener)}${inner}  `;
  });
}

function statementFact(text: string, span: StatementSpan, dialect: Dialect): SqlFact {
  const written = text.slice(span.start, span.end) + (span.suffix ?? '');
  const parts: SqlPart[] =
    dialect === 'postgresql'
      ? psqlParts(written, span.start)
      : [{ text: written, runs: [[0, span.start]] }];
  const holes = parts.filter(isHole).length;
  const rendered = renderSql(parts, dialect, FIT);
  return {
    origin: 'sql-file',
    offset: span.start,
    parts,
    text: rendered.text,
    runs: rendered.runs,
    interpolations: holes,
    ...(span.gexec != null ? { gexec: span.gexec } : {}),
  };
}

/** Where a bare `:name` can only be a name: before a dot, or after a word that takes a table. */
const NAME_BEFORE = /\b(?:from|join|into|update|table|only)\s+$/i;

/**
 * psql puts a variable's value in place of `:'name'` (as a string) and `:"name"` (as a name). A
 * blank in place of the colon leaves the string, of the same length, so every offset stays valid.
 * A name is known only when the script runs (`\set` may be overridden by `psql -v`), so it is a
 * value, as an interpolated name in code is. A bare `:name` is taken for a name where only a name
 * fits; elsewhere it is left as written, since it cannot be told from an array slice.
 */
function psqlParts(sql: string, start: number): SqlPart[] {
  const text = sql.replace(/(?<![:\w]):(?='[A-Za-z_]\w*')/g, ' ');
  const parts: SqlPart[] = [];
  let from = 0;
  for (const match of text.matchAll(/(?<![:\w]):(?:"[A-Za-z_]\w*"|[A-Za-z_]\w*)/g)) {
    const at = match.index;
    const bare = match[0][1] !== '"';
    const after = text[at + match[0].length];
    if (bare && after !== '.' && !NAME_BEFORE.test(text.slice(Math.max(0, at - 16), at))) {
      continue;
    }
    parts.push({ text: text.slice(from, at), runs: [[0, start + from]] });
    parts.push({ hole: start + at, isName: true });
    from = at + match[0].length;
  }
  parts.push({ text: text.slice(from), runs: [[0, start + from]] });
  return parts;
}

/**
 * Cuts the text at each `;` outside strings, quoted names, comments, parentheses and
 * `BEGIN ATOMIC … END` bodies, as psql does. psql's backslash commands and the data lines of
 * `COPY … FROM stdin` are not SQL and are left out. In MySQL files `DELIMITER` changes the
 * character that ends a statement, as the mysql client does.
 */
class StatementScanner {
  private index = 0;
  private start = -1;
  private depth = 0;
  /** Inside BEGIN ATOMIC: how many END are still to come (CASE opens one too). */
  private atomic = 0;
  private previousWord = '';
  private delimiter = ';';
  private readonly found: Scan = { statements: [], comments: [] };

  constructor(
    private readonly text: string,
    private readonly dialect: Dialect,
  ) {}

  run(): Scan {
    while (this.index < this.text.length) this.step();
    this.endStatement(this.text.length);
    return this.found;
  }

  private step(): void {
    const { text, index } = this;
    const char = text[index]!;

    if (this.start < 0 && this.isLineStart(index) && this.skipClientCommand()) return;
    if (/\s/.test(char)) {
      this.index += 1;
    } else if (this.isCommentStart(index)) {
      this.skipComment();
    } else if (this.depth === 0 && this.atomic === 0 && text.startsWith(this.delimiter, index)) {
      this.endStatement(index);
      this.index += this.delimiter.length;
    } else {
      if (this.start < 0) this.start = index;
      this.readToken();
    }
  }

  private readToken(): void {
    const { text, index } = this;
    const char = text[index]!;
    const dollar =
      char === '$' && this.dialect === 'postgresql'
        ? /^\$(?:[A-Za-z_]\w*)?\$/.exec(text.slice(index, index + 64))
        : null;

    if (dollar) {
      const close = text.indexOf(dollar[0], index + dollar[0].length);
      this.index = close < 0 ? text.length : close + dollar[0].length;
      this.readBodyComments(index + dollar[0].length, close < 0 ? text.length : close);
    } else if (char === "'" || char === '"' || (char === '`' && this.dialect === 'mysql')) {
      this.index = this.quotedEnd(index, char, this.backslashEscapes(index, char));
    } else if (char === '\\' && this.dialect === 'postgresql') {
      // A psql command (\gset, \g, \crosstabview…) sends what is before it.
      this.endStatement(index);
      this.readPsqlCommand(index);
    } else if (char === '(') {
      this.depth += 1;
      this.index += 1;
    } else if (char === ')') {
      this.depth = Math.max(0, this.depth - 1);
      this.index += 1;
    } else if (/[A-Za-z_]/.test(char)) {
      const word = /^[A-Za-z_][\w$]*/.exec(text.slice(index, index + 64))![0];
      this.readWord(word.toUpperCase());
      this.index += word.length;
    } else {
      this.index += 1;
    }
  }

  /**
   * A function body in dollar quotes is a string to this scan, but its `--` comments are comments
   * to the reader: a suppression there silences the body's statement on the next line.
   */
  private readBodyComments(start: number, end: number): void {
    const body = this.text.slice(start, end);
    if (!body.includes(SUPPRESSION_MARKER)) return;
    for (const match of body.matchAll(/--[^\n]*/g)) {
      const at = start + match.index;
      this.found.comments.push({ start: at, end: at + match[0].length });
    }
  }

  /** Tracks BEGIN ATOMIC … END, the one body PostgreSQL writes without quotes. */
  private readWord(word: string): void {
    if (this.dialect === 'postgresql' && this.depth === 0) {
      if (this.atomic === 0 && this.previousWord === 'BEGIN' && word === 'ATOMIC') this.atomic = 1;
      else if (this.atomic > 0 && word === 'CASE') this.atomic += 1;
      else if (this.atomic > 0 && word === 'END') this.atomic -= 1;
    }
    this.previousWord = word;
  }

  private backslashEscapes(index: number, quote: string): boolean {
    if (this.dialect === 'mysql') return quote !== '`';
    return (
      quote === "'" &&
      /[eE]/.test(this.text[index - 1] ?? '') &&
      !/\w/.test(this.text[index - 2] ?? '')
    );
  }

  /** The index after the closing quote; a doubled quote stands for one. */
  private quotedEnd(index: number, quote: string, backslashes: boolean): number {
    for (let at = index + 1; at < this.text.length; at += 1) {
      const char = this.text[at];
      if (backslashes && char === '\\') at += 1;
      else if (char === quote && this.text[at + 1] === quote) at += 1;
      else if (char === quote) return at + 1;
    }
    return this.text.length;
  }

  private isCommentStart(index: number): boolean {
    const two = this.text.slice(index, index + 2);
    if (two === '/*') return true;
    if (this.dialect === 'mysql') {
      return (
        this.text[index] === '#' || (two === '--' && /[\s]|^$/.test(this.text[index + 2] ?? ''))
      );
    }
    return two === '--';
  }

  /** Line comments end at the line's end; PostgreSQL's block comments nest, MySQL's do not. */
  private skipComment(): void {
    const { text, index } = this;
    let end: number;
    if (text[index] !== '/') {
      const newline = text.indexOf('\n', index);
      end = newline < 0 ? text.length : newline;
    } else {
      end = this.blockCommentEnd(index);
    }
    this.found.comments.push({ start: index, end });
    this.index = end;
  }

  private blockCommentEnd(index: number): number {
    let nesting = 0;
    for (let at = index; at < this.text.length - 1; at += 1) {
      const two = this.text.slice(at, at + 2);
      if (two === '/*' && (nesting === 0 || this.dialect === 'postgresql')) {
        nesting += 1;
        at += 1;
      } else if (two === '*/') {
        nesting -= 1;
        at += 1;
        if (nesting === 0) return at + 1;
      }
    }
    return this.text.length;
  }

  /**
   * psql's `\connect`, `\set` and the like, and the mysql client's `DELIMITER`: whole lines that
   * are not SQL, met where a statement could start.
   */
  private skipClientCommand(): boolean {
    const { text, index } = this;
    const newline = text.indexOf('\n', index);
    const lineEnd = newline < 0 ? text.length : newline;
    const line = text.slice(index, lineEnd);

    const delimiter = /^\s*DELIMITER\s+(\S+)/i.exec(line);
    const psql = /^\s*\\/.exec(line);
    if (this.dialect === 'mysql' && delimiter) {
      this.delimiter = delimiter[1]!;
    } else if (this.dialect === 'postgresql' && psql) {
      this.readPsqlCommand(index + psql[0].length - 1);
      return true;
    } else {
      return false;
    }
    this.index = lineEnd;
    return true;
  }

  /**
   * A psql command at `at`. `\\` and `\;` separate statements on one line; `\copy` runs a COPY;
   * `\gexec` runs what the statement before it returns. Other commands take their arguments up
   * to the line's end or a `\\`, and hold no SQL.
   */
  private readPsqlCommand(at: number): void {
    const { text } = this;
    const name = /^\\([A-Za-z]+|\\|;)?/.exec(text.slice(at, at + 64))![1] ?? '';
    if (name === '\\' || name === ';') {
      this.index = at + 2;
      return;
    }
    const newline = text.indexOf('\n', at);
    const lineEnd = newline < 0 ? text.length : newline;
    if (name.toLowerCase() === 'copy') {
      this.readPsqlCopy(at, lineEnd);
      return;
    }
    if (name === 'gexec') {
      const last = this.found.statements.at(-1);
      if (last) last.gexec = at;
    }
    const separator = text.indexOf('\\\\', at + 1 + name.length);
    this.index = separator >= 0 && separator < lineEnd ? separator + 2 : lineEnd;
  }

  /**
   * `\copy table [(columns)] FROM|TO file …` and `\copy (query) TO file …`: the file is psql's
   * business, so the statement is read as COPY from STDIN or to STDOUT, which the parser accepts
   * whatever the file is called. It takes the whole line, as psql does. Without a FROM or TO it
   * is passed on as written, for the parser to reject.
   */
  private readPsqlCopy(at: number, lineEnd: number): void {
    const line = this.text.slice(at + 1, lineEnd).replace(/[\s;]+$/, '');
    const direction = copyDirection(line);
    const end = at + 1 + (direction ? direction.end : line.length);
    const suffix = direction ? (direction.from ? ' STDIN' : ' STDOUT') : undefined;
    this.found.statements.push({ start: at + 1, end, ...(suffix ? { suffix } : {}) });
    this.index = lineEnd;
    if (direction?.from && /^\s+(?:stdin)\b/i.test(line.slice(direction.end))) {
      this.skipCopyData();
    }
  }

  private isLineStart(index: number): boolean {
    return index === 0 || this.text[index - 1] === '\n';
  }

  private endStatement(end: number): void {
    if (this.start >= 0) {
      const span = { start: this.start, end: trimEnd(this.text, this.start, end) };
      this.found.statements.push(span);
      if (this.isCopyFromStdin(span)) this.skipCopyData();
    }
    this.start = -1;
    this.depth = 0;
    this.atomic = 0;
    this.previousWord = '';
  }

  private isCopyFromStdin(span: Span): boolean {
    if (this.dialect !== 'postgresql') return false;
    return /^COPY\b[^]*\bFROM\s+STDIN\b/i.test(this.text.slice(span.start, span.end));
  }

  /** The rows after `COPY … FROM stdin;` run to a line holding `\.`. */
  private skipCopyData(): void {
    const endMark = /^\\\.\s*$/m;
    const rest = this.text.slice(this.index);
    const match = endMark.exec(rest);
    this.index = match ? this.index + match.index + match[0].length : this.text.length;
  }
}

/** The FROM or TO of a `copy …` line, outside parentheses and quotes: where it ends, and which. */
function copyDirection(line: string): { end: number; from: boolean } | null {
  let depth = 0;
  for (const match of line.matchAll(/'(?:[^']|'')*'|"(?:[^"]|"")*"|[()]|\b(?:from|to)\b/gi)) {
    const token = match[0];
    if (token === '(') depth += 1;
    else if (token === ')') depth -= 1;
    else if (depth === 0 && /^\w/.test(token)) {
      return { end: match.index + token.length, from: token.toLowerCase() === 'from' };
    }
  }
  return null;
}

/** A statement ends at its last token: blanks and comments before the `;` are not part of it. */
function trimEnd(text: string, start: number, end: number): number {
  let at = end;
  while (at > start && /\s/.test(text[at - 1]!)) at -= 1;
  return at;
}

/**
 * Reads `-- dbboundary-ignore-next-line <rule>[, <rule>…] -- <reason>` (or the same in a block
 * comment). A comment that mentions the marker later in its text is prose, not a suppression.
 */
function suppressionOf(text: string, span: Span): SuppressionComment | null {
  const raw = text.slice(span.start, span.end);
  if (!raw.includes(SUPPRESSION_MARKER)) return null;
  const body = raw.startsWith('/*')
    ? raw.slice(2).replace(/\*\/$/, '')
    : raw.replace(/^(--|#)/, '');
  const match = /^\s*(dbboundary-ignore[\w-]*)(?=\s|$)([\s\S]*)$/.exec(body);
  if (!match) return null;

  const rest = match[2]!;
  const dash = /(?:^|\s)--(?:\s|$)/.exec(rest);
  const names = dash ? rest.slice(0, dash.index) : rest;
  const reason = dash ? rest.slice(dash.index + dash[0].length) : null;
  const start = lineAndColumn(text, span.start);
  return {
    ...start,
    offset: span.start,
    nextLine: lineAndColumn(text, span.end).line + 1,
    directive: match[1]!,
    rules: names.split(/[\s,]+/).filter(Boolean),
    reason: reason == null ? null : reason.replace(/\s+/g, ' ').trim(),
  };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}
