/**
 * A small, strict XML 1.0 reader for the reports' tests: it throws on anything that is not
 * well-formed (bad nesting, stray `<` or `&`, unknown entities, characters XML forbids, a second
 * root) and gives back the element tree with attributes and text decoded.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
const ALLOWED = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

export function parseXml(source: string): XmlElement {
  if (!ALLOWED.test(source)) throw new Error('a character XML 1.0 does not allow');
  const reader = { source, at: 0 };

  skipProlog(reader);
  const root = readElement(reader);
  if (reader.source.slice(reader.at).trim() !== '') throw new Error(`content after the root`);
  return root;
}

interface Reader {
  source: string;
  at: number;
}

function skipProlog(reader: Reader): void {
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(reader.source);
  if (!declaration) throw new Error('no XML declaration');
  reader.at = declaration[0].length;
}

function readElement(reader: Reader): XmlElement {
  const name = expectName(reader, '<');
  const element: XmlElement = { name, attributes: {}, children: [], text: '' };
  readAttributes(reader, element);

  if (reader.source.startsWith('/>', reader.at)) {
    reader.at += 2;
    return element;
  }
  expect(reader, '>');
  readContent(reader, element);
  return element;
}

function readAttributes(reader: Reader, element: XmlElement): void {
  for (;;) {
    const space = /^\s+/.exec(reader.source.slice(reader.at));
    if (!space) return;
    reader.at += space[0].length;
    const name = NAME.exec(reader.source.slice(reader.at))?.[0];
    if (name == null) return;

    reader.at += name.length;
    const value = /^="([^"<]*)"/.exec(reader.source.slice(reader.at));
    if (!value) throw new Error(`attribute ${name} of <${element.name}> has no quoted value`);
    if (name in element.attributes) throw new Error(`attribute ${name} twice`);
    element.attributes[name] = decode(value[1]!);
    reader.at += value[0].length;
  }
}

function readContent(reader: Reader, element: XmlElement): void {
  for (;;) {
    const next = reader.source.indexOf('<', reader.at);
    if (next < 0) throw new Error(`<${element.name}> is never closed`);
    element.text += decode(reader.source.slice(reader.at, next));
    reader.at = next;

    if (reader.source.startsWith('</', next)) {
      const name = expectName(reader, '</');
      if (name !== element.name) throw new Error(`</${name}> closes <${element.name}>`);
      expect(reader, '>');
      return;
    }
    element.children.push(readElement(reader));
  }
}

function decode(raw: string): string {
  if (raw.includes(']]>')) throw new Error(']]> in text');
  return raw.replace(/&([^;]*);?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new Error(`a bare & in "${raw}"`);
    return entity(body);
  });
}

function entity(body: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  if (body in named) return named[body]!;

  const code = /^#x([0-9a-fA-F]+)$/.exec(body)
    ? parseInt(body.slice(2), 16)
    : /^#\d+$/.test(body)
      ? Number(body.slice(1))
      : NaN;
  const char = Number.isNaN(code) ? '' : String.fromCodePoint(code);
  if (char === '' || !ALLOWED.test(char)) throw new Error(`unknown or invalid entity &${body};`);
  return char;
}

function expectName(reader: Reader, opener: string): string {
  expect(reader, opener);
  const name = NAME.exec(reader.source.slice(reader.at))?.[0];
  if (name == null) throw new Error(`no element name at ${reader.at}`);
  reader.at += name.length;
  return name;
}

function expect(reader: Reader, text: string): void {
  if (!reader.source.startsWith(text, reader.at)) {
    throw new Error(
      `expected ${text} at ${reader.at}: ${reader.source.slice(reader.at, reader.at + 40)}`,
    );
  }
  reader.at += text.length;
}

/** Every element named `name` below `root`, depth first. */
export function descendants(root: XmlElement, name: string): XmlElement[] {
  return root.children.flatMap((child) => [
    ...(child.name === name ? [child] : []),
    ...descendants(child, name),
  ]);
}
