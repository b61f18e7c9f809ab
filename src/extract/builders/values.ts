import type { SymbolValue, TableName } from '../facts.js';

/**
 * Operations on constant values that need no compiler, so the check can finish values other
 * files declare without loading it.
 */

export const NOT_CONSTANT = (what: string): SymbolValue => ({ unknown: what });

export function memberOf(base: SymbolValue, key: string): SymbolValue {
  if ('fields' in base) {
    return Object.hasOwn(base.fields, key) ? base.fields[key]! : NOT_CONSTANT(`no field ${key}`);
  }
  if ('import' in base) return { ...base, path: [...base.path, key] };
  if ('unknown' in base) return base;
  return NOT_CONSTANT(`a field of a value that is not a constant object`);
}

/** Joins values into one text; a part from another file keeps it a concatenation to finish later. */
export function concat(parts: SymbolValue[]): SymbolValue {
  const flat = parts.flatMap((part) => ('concat' in part ? part.concat : [part]));
  const unknown = flat.find((part) => 'unknown' in part);
  if (unknown) return unknown;
  if (flat.some((part) => !('text' in part) && !('import' in part))) {
    return NOT_CONSTANT('text joined with a value that is not text');
  }
  if (flat.every((part) => 'text' in part)) {
    return { text: flat.map((part) => (part as { text: string }).text).join('') };
  }
  return { concat: flat };
}

export function tableNameOf(value: SymbolValue): TableName | null {
  return 'table' in value ? value.table : null;
}
