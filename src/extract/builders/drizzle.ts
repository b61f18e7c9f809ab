import type { BuilderTableRef } from '../facts.js';
import { tableArgument } from './chain.js';
import type { Chain, ChainReading, ReadingContext } from './chain.js';

/**
 * Drizzle writes: `db.insert(orders)`, `db.update(orders)`, `db.delete(orders)`, where the
 * argument is a table object (`pgTable`, `mysqlTable`, `pgSchema('s').table`). TypeORM's query
 * builder takes an entity there (`.update(Order)`, `.into(Order)`). Reads (`.from`, joins) are
 * read by the knex reader, which takes table objects as well as strings.
 */
const WRITES = new Set(['insert', 'update', 'delete']);

export function readDrizzleWrites(chain: Chain, context: ReadingContext): ChainReading | null {
  const refs: BuilderTableRef[] = [];
  for (const link of chain.links) {
    const [first] = link.args ?? [];
    if (!first || !WRITES.has(link.name ?? '')) continue;
    // knex's insert(rows) and update(values) take data: kept only if it names a table.
    const ref = tableArgument(first, 'write', context, true);
    if (ref && !('text' in ref.source)) refs.push(ref);
  }
  return refs.length > 0 ? { library: 'drizzle', tables: refs } : null;
}
