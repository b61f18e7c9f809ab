import { describe, expect, it } from 'vitest';
import { introspectTableOwnership } from '../../src/db/introspect.js';
import { describeTarget, redactUrl, resolveDatabaseUrl, scrubSecrets } from '../../src/db/url.js';
import { UserError } from '../../src/errors.js';

describe('redactUrl', () => {
  it.each([
    ['postgres://me:s3cret@db.internal:5433/shop', 'postgres://me:***@db.internal:5433/shop'],
    [
      'postgres://me@db/shop?sslmode=require&password=pw',
      'postgres://me@db/shop?sslmode=require&password=***',
    ],
    ['postgresql://me:p%40ss@[::1]/shop', 'postgresql://me:***@[::1]/shop'],
    ['postgres://db/shop', 'postgres://db/shop'],
    ['host=db password=pw', '(a connection string that is not a URL)'],
  ])('shows %s as %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});

describe('describeTarget', () => {
  it.each([
    ['postgres://me:s3cret@db.internal:5433/shop', 'db.internal:5433/shop'],
    ['postgres://me:s3cret@db/my%20shop', 'db:5432/my shop'],
    ['postgres:///shop?host=/var/run/postgresql', '/var/run/postgresql:5432/shop'],
    ['postgres://db', 'db:5432/(default database)'],
  ])('names %s as %s', (url, target) => {
    expect(describeTarget(url)).toBe(target);
  });
});

describe('scrubSecrets', () => {
  it('removes the URL and the password, encoded or not, from a driver message', () => {
    const url = 'postgres://me:p%40ss-word@db/shop';
    const message = `failed for ${url} with p@ss-word and p%40ss-word`;

    expect(scrubSecrets(message, url)).toBe('failed for *** with *** and ***');
  });
});

describe('the --db value', () => {
  it('reads env:NAME from the environment', () => {
    expect(resolveDatabaseUrl('env:SHOP_DB', { SHOP_DB: 'postgres://db/shop' })).toBe(
      'postgres://db/shop',
    );
    expect(resolveDatabaseUrl('postgres://db/shop', {})).toBe('postgres://db/shop');
  });

  it('refuses an unset variable, naming it', () => {
    expect(() => resolveDatabaseUrl('env:NO_SUCH_DBBOUNDARY_VAR', { OTHER: 'x' })).toThrow(
      new UserError(
        '--db env:NO_SUCH_DBBOUNDARY_VAR: the environment variable NO_SUCH_DBBOUNDARY_VAR is not set.',
      ),
    );
  });

  it('refuses a URL that is not PostgreSQL without showing it, before connecting', async () => {
    await expect(introspectTableOwnership('mysql://root:pw@127.0.0.1/shop')).rejects.toThrow(
      new UserError(
        '--db: a mysql: URL; give a PostgreSQL URL such as postgres://user@host:5432/database (only PostgreSQL can be read so far).',
      ),
    );
    await expect(introspectTableOwnership('host=x password=pw')).rejects.toThrow(
      /^--db: not a URL; give a PostgreSQL URL/,
    );
  });
});
