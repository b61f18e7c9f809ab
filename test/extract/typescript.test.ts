import { describe, expect, it } from 'vitest';
import { extractFile } from '../../src/extract/typescript.js';
import { fileOffsetOf } from '../../src/extract/facts.js';
import type { SqlFact } from '../../src/extract/facts.js';

function sqlOf(code: string, dialect: 'postgresql' | 'mysql' = 'postgresql'): string[] {
  return extractFile('/x/file.ts', code, dialect).sql.map((fact) => fact.text);
}

/** The file text that a position in the SQL maps back to. */
function sourceAt(code: string, fact: SqlFact, needle: string): string {
  const offset = fileOffsetOf(fact, fact.text.indexOf(needle));
  return code.slice(offset, offset + needle.length);
}

describe('imports', () => {
  it('finds every kind of import with the position of its specifier', () => {
    const code = [
      "import { a } from './a';",
      "import type { B } from '@shop/b';",
      "export * from './c';",
      "export type { D } from './d';",
      "const e = await import('./e');",
      "const f = require('./f');",
      "import g = require('./g');",
      "import './side-effect';",
    ].join('\n');
    const { imports } = extractFile('/x/file.ts', code, 'postgresql');

    expect(imports.map((i) => [i.specifier, i.kind])).toEqual([
      ['./a', 'static'],
      ['@shop/b', 'type'],
      ['./c', 'export'],
      ['./d', 'type'],
      ['./e', 'dynamic'],
      ['./f', 'require'],
      ['./g', 'require'],
      ['./side-effect', 'static'],
    ]);
    expect(code.slice(imports[1]!.offset, imports[1]!.offset + 9)).toBe("'@shop/b'");
  });

  it('finds top-level imports in a file with no SQL, and nested ones when import( or require( appear', () => {
    const plain =
      "import { a } from './a';\nexport { b } from './b';\nexport const f = () => a + 'text';\n";
    const nested =
      "import { a } from './a';\nexport function f() {\n  return import('./lazy');\n}\n";
    const specifiers = (code: string) =>
      extractFile('/x/file.ts', code, 'postgresql').imports.map((i) => i.specifier);

    expect(specifiers(plain)).toEqual(['./a', './b']);
    expect(specifiers(nested)).toEqual(['./a', './lazy']);
  });

  it('finds SQL that starts after a line continuation or an escaped newline, in a file with no other hint', () => {
    const code = [
      "import { pool } from './db';",
      'export const a = () => pool.query({ text: `\\',
      'select * from orders.orders where id = $1;` });',
      "export const b = () => pool.query('\\n  SELECT * FROM orders.carts');",
    ].join('\n');
    expect(sqlOf(code)).toEqual([
      'select * from orders.orders where id = $1;',
      '\n  SELECT * FROM orders.carts',
    ]);
  });

  it('ignores a dynamic import whose specifier is computed', () => {
    const { imports } = extractFile(
      '/x/file.ts',
      'const m = await import(`./${name}`);',
      'postgresql',
    );
    expect(imports).toEqual([]);
  });
});

describe('SQL strings', () => {
  it('takes string, template and concatenated SQL passed to a query call', () => {
    const code = `
      await pool.query('SELECT id FROM orders.orders WHERE id = $1', [id]);
      await db.execute(\`UPDATE orders.orders SET status = \${status} WHERE id = \${id}\`);
      await client.query('SELECT * FROM catalog.products ' + 'WHERE sku = ' + sku);
    `;
    expect(sqlOf(code)).toEqual([
      'SELECT id FROM orders.orders WHERE id = $1',
      'UPDATE orders.orders SET status = $1 WHERE id = $2',
      'SELECT * FROM catalog.products WHERE sku = $1',
    ]);
  });

  it('uses ? for interpolations under MySQL', () => {
    expect(sqlOf('conn.query(`SELECT * FROM shop.orders WHERE id = ${id}`);', 'mysql')).toEqual([
      'SELECT * FROM shop.orders WHERE id = ?',
    ]);
  });

  it('takes sql tagged templates and pg query config objects', () => {
    const code = `
      const rows = await sql\`SELECT * FROM customers.customers WHERE id = \${id}\`;
      await pool.query({ text: 'DELETE FROM orders.carts WHERE id = $1', values: [id] });
      const q = Prisma.sql\`select * from orders.orders\`;
    `;
    expect(sqlOf(code)).toEqual([
      'SELECT * FROM customers.customers WHERE id = $1',
      'DELETE FROM orders.carts WHERE id = $1',
      'select * from orders.orders',
    ]);
  });

  it('takes SQL kept in constants when it clearly is SQL', () => {
    const code = `
      const FIND = 'SELECT * FROM catalog.products WHERE sku = $1';
      const queries = { list: \`select id, name from catalog.categories where parent_id = \${id}\` };
    `;
    expect(sqlOf(code)).toEqual([
      'SELECT * FROM catalog.products WHERE sku = $1',
      'select id, name from catalog.categories where parent_id = $1',
    ]);
  });

  it('takes SQL whose first word or comment a constant finishes, after text that is not SQL', () => {
    const code = `
      const VERB = 'ECT';
      const ON = 'ON';
      const END = '*/';
      export function load(input: { id: string }) {
        const label = \`step \${input.id}\`;
        const find = \`SEL\${VERB} * FROM catalog.products WHERE sku = $1\`;
        const note = \`COMMENT \${ON} TABLE catalog.products IS 'x'\`;
        const hinted = \`/* note \${END} DELETE FROM catalog.carts WHERE id = $1\`;
        return [label, find, note, hinted];
      }
    `;
    expect(sqlOf(code)).toEqual([
      'SELECT * FROM catalog.products WHERE sku = $1',
      "COMMENT ON TABLE catalog.products IS 'x'",
      '/* note */ DELETE FROM catalog.carts WHERE id = $1',
    ]);
  });

  it('leaves prose that names tables alone', () => {
    const code = `
      logger.info('select from customers.customers failed');
      console.error(\`DELETE FROM orders.orders failed for \${id}\`);
      throw new Error('SELECT * FROM orders.orders returned nothing');
      const label = 'Select a product from the list';
      const note = 'Update your profile and set a password';
      const method = 'DELETE';
      describe('SELECT from orders', () => {});
      // SELECT * FROM customers.customers
      /* DELETE FROM orders.orders WHERE id = 1 */
      const query = gql\`query { orders { id } }\`;
    `;
    expect(sqlOf(code)).toEqual([]);
  });

  it('needs SQL-like text even where SQL is run, and never takes String.raw for SQL', () => {
    const code = `
      await bus.execute('Update profile picture');
      const path = String.raw\`Select a folder from C:\\Users = home\`;
      await db.query('prepare purge (int) as delete from orders.carts where id = $1');
      await db.query('select 1');
    `;
    expect(sqlOf(code)).toEqual([
      'prepare purge (int) as delete from orders.carts where id = $1',
      'select 1',
    ]);
  });

  it('maps a position in the SQL back to the file, across escapes and interpolations', () => {
    const code = "pool.query('SELECT \\'a\\' AS x, ' + `${col} FROM\\n customers.customers`);";
    const [fact] = extractFile('/x/file.ts', code, 'postgresql').sql;

    expect(fact!.text).toBe("SELECT 'a' AS x, $1 FROM\n customers.customers");
    expect(sourceAt(code, fact!, 'customers.customers')).toBe('customers.customers');
    expect(sourceAt(code, fact!, 'AS x')).toBe('AS x');
  });

  it('walks into the values of a query to find nested SQL', () => {
    const code =
      'await pool.query(`SELECT * FROM a WHERE id IN (${ids})`, [await other.query("SELECT id FROM b")]);';
    expect(sqlOf(code)).toEqual(['SELECT * FROM a WHERE id IN ($1)', 'SELECT id FROM b']);
  });
});

describe('syntax errors', () => {
  it('reports them with a position instead of failing', () => {
    const facts = extractFile(
      '/x/file.ts',
      'const a = ;\nawait pool.query("SELECT 1 FROM t");',
      'postgresql',
    );
    expect(facts.syntaxErrors[0]).toMatchObject({ offset: 10, message: 'Expression expected.' });
    expect(facts.sql.map((s) => s.text)).toEqual(['SELECT 1 FROM t']);
  });
});
