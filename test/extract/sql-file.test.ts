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

  it("reads psql's :'name' and :\"name\" as the string and the name they stand for", () => {
    const text =
      'ALTER USER app WITH PASSWORD :\'app_pass\'; SELECT a::text, b[1:2] FROM :"schema".t;';
    expect(statementsOf(text).map(([, sql]) => sql)).toEqual([
      "ALTER USER app WITH PASSWORD  'app_pass'",
      'SELECT a::text, b[1:2] FROM  "schema".t',
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
