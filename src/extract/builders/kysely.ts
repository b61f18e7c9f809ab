import type { BuilderTableRef, TableAccess } from '../facts.js';
import { qualify, tableArguments } from './chain.js';
import type { Chain, ChainReading, ReadingContext } from './chain.js';

/**
 * kysely chains: `selectFrom`, `insertInto`, `replaceInto`, `updateTable`, `deleteFrom`,
 * `mergeInto`, the join family, `.using`, `.from` after `updateTable`, and `.withSchema`.
 * Table arguments are strings (`'person as p'`), arrays of them, or constants.
 */

const STATEMENTS = new Map<string, TableAccess>([
  ['selectFrom', 'read'],
  ['insertInto', 'write'],
  ['replaceInto', 'write'],
  ['updateTable', 'write'],
  ['deleteFrom', 'write'],
  ['mergeInto', 'write'],
]);

const READ_LINKS =
  /^(?:innerJoin|leftJoin|rightJoin|fullJoin|crossJoin|innerJoinLateral|leftJoinLateral|crossJoinLateral|using|from)$/;

export function readKyselyChain(chain: Chain, context: ReadingContext): ChainReading | null {
  if (!chain.links.some((link) => link.args && STATEMENTS.has(link.name ?? ''))) return null;

  const refs: BuilderTableRef[] = [];
  for (const link of chain.links) {
    const [first] = link.args ?? [];
    if (!first || link.name == null) continue;
    const access = STATEMENTS.get(link.name);
    if (access) refs.push(...tableArguments(first, access, context));
    else if (READ_LINKS.test(link.name)) refs.push(...tableArguments(first, 'read', context));
  }
  return { library: 'kysely', tables: qualify(chain, refs) };
}
