import { describe, expect, it } from 'vitest';
import { problemsOf } from './helpers.js';

const FILES = {
  'src/a/index.ts': 'export {};\n',
  'src/a/api/index.ts': 'export {};\n',
  'src/b/index.ts': 'export {};\n',
};

function mapWith(a: string): string {
  return `version: 1
contexts:
  a:
${a}
  b:
    code: ["src/b/**"]
`;
}

describe('globs lists', () => {
  it('requires at least one glob in code, and allows empty tables and public', async () => {
    expect(
      await problemsOf(mapWith('    code: []\n    tables: []\n    public: []'), FILES),
    ).toEqual([
      '4: contexts.a.code must list at least one glob, e.g. ["src/contexts/orders/**"]; without one the context has no files.',
    ]);
    expect(await problemsOf(mapWith('    code: ["!src/a/api/**"]'), FILES)).toEqual([
      '4: contexts.a.code must list at least one glob, e.g. ["src/contexts/orders/**"]; globs starting with ! only leave files out.',
    ]);
    expect(
      await problemsOf(mapWith('    code: ["src/a/**"]\n    tables: []\n    public: []'), FILES),
    ).toEqual([]);
  });

  it('names the empty entry of any list instead of asking for strings', async () => {
    const yaml = mapWith(
      '    code: ["src/a/**", ""]\n    tables: [\'\', "a.*"]\n    public: [" "]',
    );
    expect(await problemsOf(yaml, FILES)).toEqual([
      '4: contexts.a.code[1] is empty; contexts.a.code must be a list of non-empty strings, e.g. ["src/contexts/orders/**"].',
      '5: contexts.a.tables[0] is empty; contexts.a.tables must be a list of non-empty strings, e.g. ["orders.*"].',
      '6: contexts.a.public[0] is empty; contexts.a.public must be a list of non-empty strings, e.g. ["src/contexts/orders/api/**"].',
    ]);
  });

  it('says that a glob cannot leave the config folder, once, at its line', async () => {
    const yaml = `version: 1
exclude:
  - "/tmp/**"
contexts:
  a:
    code:
      - "src/a/**"
      - "../other/src/**"
      - "!/src/a/api/**"
    public: ["src/../src/a/api/**"]
  b:
    code: ["src/b/**"]
`;
    const leaves =
      "cannot match: globs are relative to the config's folder and cannot leave it; put dbboundary.yaml at the root of the code it checks.";
    expect(await problemsOf(yaml, FILES)).toEqual([
      `3: exclude: "/tmp/**" ${leaves}`,
      `8: contexts.a.code: "../other/src/**" ${leaves}`,
      `9: contexts.a.code: "!/src/a/api/**" ${leaves}`,
      '10: contexts.a.public: "src/../src/a/api/**" cannot match: scanned paths hold no .. parts; write the path without them.',
    ]);
  });

  it("reports a public glob that matches files outside the context's own code", async () => {
    const yaml = mapWith('    code: ["src/a/**"]\n    public: ["src/a/api/**", "src/b/**"]');
    expect(await problemsOf(yaml, FILES)).toEqual([
      '5: contexts.a.public: "src/b/**" matches src/b/index.ts, not code of a; public lists files of a\'s own code that other contexts may import. Narrow the glob.',
    ]);
  });

  it('reports a public glob that matches files outside every context', async () => {
    const yaml = mapWith('    code: ["src/a/**"]\n    public: ["**/index.ts"]');
    expect(await problemsOf(yaml, { ...FILES, 'lib/index.ts': 'export {};\n' })).toEqual([
      '5: contexts.a.public: "**/index.ts" matches lib/index.ts and 1 other file, not code of a; public lists files of a\'s own code that other contexts may import. Narrow the glob.',
    ]);
  });
});
