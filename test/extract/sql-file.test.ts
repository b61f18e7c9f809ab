import { describe, expect, it } from 'vitest';
import { extractSqlFile } from '../../src/extract/sql-file.js';

/** Each statement as the file holds it, with the 0-based offset where it starts. */
function statementsOf(text: string, dialect: 'postgresql' | 'mysql' = 'postgresql') {
  return extractSqlFile(text, dialect).sql.map((fact) => [fact.offset, fact.text]);
}

describe('cutting a .sql file into statements', () => {
  it('cuts at semicolons, leaving out comments and blanks around each statement', () => {
    const text = '-- first\nSELECT 1;\n\n/* second */ SELECT 2 ;\nSELECT 3';
    expect(statementsOf(text)).toEqual([
      [9, 'SELECT 1'],
      [33, 'SELECT 2'],
      [44, 'SELECT 3'],
    ]);
  });

  it('keeps semicolons inside strings, quoted names, comments and dollar quotes', () => {
    const text = [
      "INSERT INTO t VALUES ('a;b', E'c\\';d', \"e;f\");",
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; SELECT 2 $body$;',
      'SELECT /* a; /* nested; */ still comment; */ 1;',
    ].join('\n');
    expect(statementsOf(text).map(([, sql]) => sql)).toEqual([
      "INSERT INTO t VALUES ('a;b', E'c\\';d', \"e;f\")",
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; SELECT 2 $body$',
      'SELECT /* a; /* nested; */ still comment; */ 1',
    ]);
  });

  it('keeps a BEGIN ATOMIC body whole, CASE … END included', () => {
    const text =
      'CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 END; SELECT 2; END;\nSELECT 3;';
    expect(statementsOf(text).map(([, sql]) => sql)).toEqual([
      'CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 END; SELECT 2; END',
      'SELECT 3',
    ]);
  });

  it('leaves out psql commands and the data rows of COPY … FROM stdin', () => {
    const text = [
      '\\set ON_ERROR_STOP on',
      'COPY catalog.products (id, sku) FROM stdin;',
      '1\tdemo;1',
      '\\.',
      'SELECT 1;',
    ].join('\n');
    expect(statementsOf(text).map(([, sql]) => sql)).toEqual([
      'COPY catalog.products (id, sku) FROM stdin',
      'SELECT 1',
    ]);
  });

  it('ends a statement at a psql command written after it on the same line', () => {
    const text = "SELECT id FROM crm.keys WHERE name = 'a' \\gset key_\nSELECT :'key_id';";
    expect(statementsOf(text)).toEqual([
      [0, "SELECT id FROM crm.keys WHERE name = 'a'"],
      [text.indexOf('SELECT :'), "SELECT  'key_id'"],
    ]);
  });

  it("reads psql's :'name' as the string it stands for, and :\"name\" as a name known at run time", () => {
    const text =
      'ALTER USER app WITH PASSWORD :\'app_pass\'; SELECT a::text, b[1:2] FROM :"schema".t;';
    expect(statementsOf(text).map(([, sql]) => sql)).toEqual([
      "ALTER USER app WITH PASSWORD  'app_pass'",
      'SELECT a::text, b[1:2] FROM dbb_value_1.t',
    ]);
  });

  it('reads a psql name variable as a value known at run time, and a bare one before a dot', () => {
    const text = 'SELECT * FROM :"schema".customers;\nSELECT * FROM :schema.t, b[1:n];';
    const facts = extractSqlFile(text, 'postgresql').sql;
    expect(facts.map((fact) => [fact.text, fact.interpolations])).toEqual([
      ['SELECT * FROM dbb_value_1.customers', 1],
      ['SELECT * FROM dbb_value_1.t, b[1:n]', 1],
    ]);
    expect(facts[0]!.parts[1]).toEqual({ hole: text.indexOf(':"schema"'), isName: true });
  });

  it('reads \\copy as the COPY it runs, whatever the file is called', () => {
    const text = [
      "\\copy customers.customers (id, email) FROM 'x.csv' WITH (FORMAT csv)",
      '\\copy (SELECT * FROM orders.orders) to out.csv csv;',
      '\\copy orders.orders from stdin',
      '1\tpaid',
      '\\.',
      'SELECT 1;',
    ].join('\n');
    expect(statementsOf(text)).toEqual([
      [1, 'copy customers.customers (id, email) FROM STDIN'],
      [text.indexOf('copy (SELECT'), 'copy (SELECT * FROM orders.orders) to STDOUT'],
      [text.indexOf('copy orders.orders'), 'copy orders.orders from STDIN'],
      [text.indexOf('SELECT 1'), 'SELECT 1'],
    ]);
  });

  it('goes on after the psql separators \\\\ and \\; on the same line', () => {
    const text = 'SELECT 1 \\\\ SELECT 2 \\; SELECT 3;\n\\echo done \\\\ SELECT 4;';
    expect(statementsOf(text).map(([, sql]) => sql)).toEqual([
      'SELECT 1',
      'SELECT 2',
      'SELECT 3',
      'SELECT 4',
    ]);
  });

  it('reads the statements mysqldump writes inside /*!50001 … */ comments', () => {
    const text = [
      '/*!40101 SET NAMES utf8mb4 */;',
      '/*!50001 CREATE ALGORITHM=UNDEFINED */',
      '/*!50001 VIEW `open_invoices` AS select `i`.`id` from `billing`.`invoices` `i` */;',
    ].join('\n');
    expect(statementsOf(text, 'mysql')).toEqual([
      [9, 'SET NAMES utf8mb4'],
      [
        40,
        'CREATE ALGORITHM=UNDEFINED   \n         VIEW `open_invoices` AS select `i`.`id` from `billing`.`invoices` `i`',
      ],
    ]);
  });

  it('follows DELIMITER in MySQL files, and reads # comments and backticks', () => {
    const text = [
      '# setup',
      'SELECT `a;b` FROM t;',
      'DELIMITER //',
      'CREATE PROCEDURE p() BEGIN SELECT 1; END //',
      'DELIMITER ;',
      "SELECT 'it\\'s';",
    ].join('\n');
    expect(statementsOf(text, 'mysql').map(([, sql]) => sql)).toEqual([
      'SELECT `a;b` FROM t',
      'CREATE PROCEDURE p() BEGIN SELECT 1; END',
      "SELECT 'it\\'s'",
    ]);
  });
});

describe('suppression comments in .sql files', () => {
  it('reads -- dbboundary-ignore-next-line with its rules and reason', () => {
    const text =
      'SELECT 1;\n-- dbboundary-ignore-next-line foreign-table-access, cross-context-join -- until REP-88\nSELECT 2;';
    expect(extractSqlFile(text, 'postgresql').suppressions).toEqual([
      {
        line: 2,
        column: 1,
        offset: 10,
        nextLine: 3,
        directive: 'dbboundary-ignore-next-line',
        rules: ['foreign-table-access', 'cross-context-join'],
        reason: 'until REP-88',
      },
    ]);
  });

  it('does not take a mention inside a string or later in a comment', () => {
    const text =
      "SELECT '-- dbboundary-ignore-next-line x -- y';\n-- see dbboundary-ignore-next-line in the docs\nSELECT 2;";
    expect(extractSqlFile(text, 'postgresql').suppressions).toEqual([]);
  });
});
