import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree } from '../helpers/tempdir.js';
import { userErrorOf } from './helpers.js';

const MAP = 'version: 1\ncontexts:\n  a:\n    code: ["src/**"]\n';

describe('the config file itself', () => {
  it('refuses a device such as /dev/zero instead of reading it forever', async () => {
    const cwd = makeTree({ 'src/a.ts': '' });
    expect(await userErrorOf({ config: '/dev/zero', cwd })).toBe(
      '/dev/zero: not a regular file (a character device); the config must be a YAML file.',
    );
  });

  it.skipIf(process.platform === 'win32')(
    'refuses a named pipe without waiting for a writer',
    async () => {
      const cwd = makeTree({ 'src/a.ts': '' });
      execFileSync('mkfifo', [path.join(cwd, 'dbboundary.yaml')]);
      expect(await userErrorOf({ cwd })).toBe(
        `${path.join(cwd, 'dbboundary.yaml')}: not a regular file (a named pipe); the config must be a YAML file.`,
      );
    },
  );

  it('refuses a folder named dbboundary.yaml', async () => {
    const cwd = makeTree({ 'dbboundary.yaml/x': '', 'src/a.ts': '' });
    expect(await userErrorOf({ cwd })).toBe(
      `${path.join(cwd, 'dbboundary.yaml')}: not a regular file (a folder); the config must be a YAML file.`,
    );
  });

  it('refuses a config over 1 MB', async () => {
    const text = `${MAP}#${'x'.repeat(1024 * 1024)}\n`;
    const cwd = makeTree({ 'dbboundary.yaml': text, 'src/a.ts': '' });
    expect(await userErrorOf({ cwd })).toBe(
      `${path.join(cwd, 'dbboundary.yaml')}: ${text.length.toLocaleString('en-US')} bytes, more than a context map may hold (1 MB); check that this is the right file.`,
    );
  });

  it.skipIf(process.platform !== 'linux')(
    'says why the system could not read the file (an I/O error, here)',
    async () => {
      const cwd = makeTree({ 'src/a.ts': '' });
      expect(await userErrorOf({ config: '/proc/self/mem', cwd })).toBe(
        '/proc/self/mem: cannot read it (EIO: i/o error).',
      );
    },
  );

  it.skipIf(process.getuid?.() === 0 || process.platform === 'win32')(
    'says why the system could not read the file (permission denied, as a non-root user; root reads any file)',
    async () => {
      const cwd = makeTree({ 'src/a.ts': '' });
      const locked = path.join(cwd, 'locked');
      mkdirSync(locked);
      writeFileSync(path.join(locked, 'dbboundary.yaml'), MAP);
      chmodSync(path.join(locked, 'dbboundary.yaml'), 0o000);
      try {
        expect(await userErrorOf({ config: 'locked/dbboundary.yaml', cwd })).toBe(
          `${path.join(locked, 'dbboundary.yaml')}: cannot read it (EACCES: permission denied).`,
        );
      } finally {
        chmodSync(path.join(locked, 'dbboundary.yaml'), 0o600);
      }
    },
  );

  it('says an empty file, or one holding only comments, is empty and what it needs', async () => {
    for (const text of ['', '\n# the contexts come later\n']) {
      const cwd = makeTree({ 'dbboundary.yaml': text, 'src/a.ts': '' });
      expect(await userErrorOf({ cwd })).toBe(
        `${path.join(cwd, 'dbboundary.yaml')}: the file is empty; a context map needs \`version: 1\` and \`contexts:\` with at least one context and its code globs (see the README).`,
      );
    }
  });

  it('says a file holding several YAML documents needs one', async () => {
    const cwd = makeTree({ 'dbboundary.yaml': `${MAP}---\n${MAP}`, 'src/a.ts': '' });
    expect(await userErrorOf({ cwd })).toBe(
      `${path.join(cwd, 'dbboundary.yaml')}:5: holds several YAML documents (--- separators); a context map is one document.`,
    );
  });
});
