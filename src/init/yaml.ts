import { configSpec } from '../config/schema.js';
import type { FieldSpec } from '../config/schema.js';
import type { Dialect } from '../sql/types.js';

/** One context as it is written: names and globs, tables empty when unknown. */
export interface ContextEntry {
  name: string;
  code: string[];
  tables: string[];
  public: string[];
}

/** A database schema that no context took, listed at the end for the user to place. */
export interface UnplacedSchema {
  schema: string;
  tables: string[];
  /** Why it was not placed, when not simply "no context of that name". */
  reason?: string;
}

export interface MapDraft {
  dialect: Dialect;
  /** Where the contexts came from, for the header: `src/contexts/*`, or null for a template. */
  source: string | null;
  contexts: ContextEntry[];
  unplaced: UnplacedSchema[];
}

const WIDTH = 100;

/** Tables of an unplaced schema named in its comment; the rest are counted. */
const TABLES_SHOWN = 5;

/** Writes the draft as dbboundary.yaml, each key explained once by its description in the schema. */
export function renderContextMap(draft: MapDraft): string {
  const lines = [
    ...header(draft),
    '',
    ...comment(describe('version')),
    'version: 1',
    ...comment(`${describe('dialect')} One of ${valuesOf('dialect')}.`),
    `dialect: ${draft.dialect}`,
    ...defaultSchemaLines(draft.dialect),
    '',
    ...comment(describe('contexts')),
    'contexts:',
    ...draft.contexts.flatMap((context, index) => contextLines(context, index === 0, draft)),
    ...unplacedLines(draft.unplaced),
    ...allowLines(draft.contexts),
  ];
  return `${lines.join('\n')}\n`;
}

function header(draft: MapDraft): string[] {
  const from = draft.source
    ? `inferred by \`dbboundary init\` from ${draft.source}`
    : 'a template written by `dbboundary init`';
  return comment(
    `dbboundary context map, ${from}. Review it, list the tables each context owns, then run \`npx dbboundary check\`. Paths are relative to this file's folder; the README explains every key.`,
  );
}

function defaultSchemaLines(dialect: Dialect): string[] {
  const about = comment(describe('defaultSchema'));
  if (dialect === 'postgresql') return [...about, 'defaultSchema: public'];
  return [...about, '# defaultSchema: app'];
}

function contextLines(context: ContextEntry, explain: boolean, draft: MapDraft): string[] {
  const note = (key: string): string[] => (explain ? comment(describe(key), '    ') : []);
  const hint = (values: string[], text: string): string => (values.length > 0 ? '' : text);
  return [
    ...(explain ? [] : ['']),
    ...(draft.source ? [] : comment(TEMPLATE_NOTE, '  ')),
    `  ${yamlKey(context.name)}:`,
    ...note('code'),
    `    code: ${flowList(context.code)}`,
    ...note('tables'),
    `    tables: ${flowList(context.tables)}${hint(context.tables, tablesHint(context))}`,
    ...note('public'),
    `    public: ${flowList(context.public)}${hint(context.public, PUBLIC_HINT)}`,
  ];
}

const TEMPLATE_NOTE =
  "An example: rename it, point its globs at the context's folder, and add one entry per bounded context.";

const PUBLIC_HINT =
  ' # Fill in: no api/ folder or index file found; list the files others may import';

function tablesHint(context: ContextEntry): string {
  return ` # Fill in: the tables ${context.name} owns, e.g. ["${context.name.replaceAll('-', '_')}.*"]`;
}

function unplacedLines(unplaced: UnplacedSchema[]): string[] {
  if (unplaced.length === 0) return [];

  const lines = [
    '',
    ...comment(
      'Schemas of the database that no context took. Add each to the tables of the context that owns it, as "schema.*" or table by table:',
    ),
  ];
  for (const entry of unplaced) {
    const why = entry.reason ? `; ${entry.reason}` : '';
    lines.push(
      `#   ${JSON.stringify(schemaPattern(entry.schema))}: ${tableList(entry.tables)}${why}`,
    );
  }
  return lines;
}

function tableList(tables: string[]): string {
  if (tables.length === 0) return 'no tables';
  const shown = tables.slice(0, TABLES_SHOWN).join(', ');
  const more = tables.length > TABLES_SHOWN ? ` and ${tables.length - TABLES_SHOWN} more` : '';
  return `${tables.length} table${tables.length === 1 ? '' : 's'} (${shown}${more})`;
}

function allowLines(contexts: ContextEntry[]): string[] {
  const [from, to] = contexts.length >= 2 ? contexts : [{ name: 'reporting' }, { name: 'orders' }];
  return [
    '',
    ...comment(`${describe('allow')} For example:`),
    '# allow:',
    `#   - from: ${yamlKey(from!.name)}`,
    `#     to: ${yamlKey(to!.name)}`,
    `#     reason: "read-only copy until ${to!.name} publishes an API (TICKET-1)"`,
  ];
}

/** `schema.*` for a schema as PostgreSQL names it: quoted when it would not survive folding. */
export function schemaPattern(schema: string): string {
  const plain = /^[a-z_][a-z0-9_$]*$/.test(schema);
  return `${plain ? schema : `"${schema.replaceAll('"', '""')}"`}.*`;
}

/** A YAML flow list of double-quoted strings; JSON strings are valid YAML. */
function flowList(values: string[]): string {
  return `[${values.map((value) => JSON.stringify(value)).join(', ')}]`;
}

/** A context name as a mapping key; quoted where YAML would read it as a boolean or null. */
function yamlKey(name: string): string {
  const plain = /^[A-Za-z][A-Za-z0-9_-]*$/.test(name) && !/^(?:true|false|null)$/i.test(name);
  return plain ? name : JSON.stringify(name);
}

/** Text as `#` lines no wider than the formatter's width, at the given indent. */
function comment(text: string, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent.length + 2 + line.length + 1 + word.length > WIDTH) {
      lines.push(`${indent}# ${line}`);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(`${indent}# ${line}`);
  return lines;
}

/** The description of a key from the schema the validator uses; context keys by their own name. */
function describe(key: string): string {
  return fieldOf(key)?.description ?? '';
}

function valuesOf(key: string): string {
  const spec = fieldOf(key);
  const values = spec && 'values' in spec ? (spec.values ?? []) : [];
  return values.join(', ');
}

function fieldOf(key: string): FieldSpec | undefined {
  const top = fieldsOf(configSpec);
  const contexts = top.contexts;
  const context = contexts?.kind === 'map' ? fieldsOf(contexts.of) : {};
  return top[key] ?? context[key];
}

function fieldsOf(spec: FieldSpec): Record<string, FieldSpec> {
  return spec.kind === 'object' ? spec.fields : {};
}
