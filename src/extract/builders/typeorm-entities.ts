import type { ts } from 'ts-morph';
import { ts as compiler } from '../compiler.js';
import type { SymbolValue, TableName } from '../facts.js';

/**
 * The table of a TypeORM entity class: `@Entity('orders')`, `@Entity({ name, schema })`,
 * `@Entity('orders', { schema })`, or TypeORM's default name, the class name in snake_case.
 * `database` stands for the schema on MySQL. A custom naming strategy is not read.
 */
export function entityTableOf(
  node: ts.ClassDeclaration,
  valueOf: (expression: ts.Expression) => SymbolValue,
): TableName | null {
  const decorator = (compiler.getDecorators(node) ?? []).find((d) => ENTITY.test(decoratorName(d)));
  if (!decorator || !node.name) return null;

  const args = compiler.isCallExpression(decorator.expression)
    ? decorator.expression.arguments
    : [];
  let name: string | null = null;
  let schema: string | null = null;
  for (const argument of args) {
    if (compiler.isObjectLiteralExpression(argument)) {
      name = textOf(optionOf(argument, 'name'), valueOf) ?? name;
      schema =
        textOf(optionOf(argument, 'schema'), valueOf) ??
        textOf(optionOf(argument, 'database'), valueOf) ??
        schema;
    } else {
      name = textOf(argument, valueOf) ?? name;
    }
  }
  return { schema, name: name ?? snakeCase(node.name.text) };
}

const ENTITY = /^(?:Entity|ViewEntity)$/;

function decoratorName(decorator: ts.Decorator): string {
  const expression = compiler.isCallExpression(decorator.expression)
    ? decorator.expression.expression
    : decorator.expression;
  return compiler.isIdentifier(expression) ? expression.text : '';
}

function optionOf(object: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
  for (const property of object.properties) {
    if (
      compiler.isPropertyAssignment(property) &&
      (compiler.isIdentifier(property.name) || compiler.isStringLiteral(property.name)) &&
      property.name.text === key
    ) {
      return property.initializer;
    }
  }
  return undefined;
}

function textOf(
  expression: ts.Expression | undefined,
  valueOf: (expression: ts.Expression) => SymbolValue,
): string | null {
  if (!expression) return null;
  const value = valueOf(expression);
  return 'text' in value ? value.text : null;
}

/**
 * OrderLine → order_line, HTTPLog → http_log, User2FA → user2_fa: a lower-case letter or digit
 * before a capital starts a word, and so does the last capital of a run followed by a lower-case
 * letter.
 */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
