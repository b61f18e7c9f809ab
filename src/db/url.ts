import { UserError } from '../errors.js';

/** What a message may show of a connection URL: no password, and no secret query parameter. */
const REDACTED = '***';

/** Query parameters of a connection URL that may carry a secret or a key file's contents. */
const SECRET_PARAMS = /^(?:password|pass|pwd|sslpassword|sslkey|sslcert|sslrootcert|token)$/i;

/**
 * Reads the --db value: a URL, or `env:NAME` for a URL kept in an environment variable so that it
 * stays out of shell history and process lists.
 */
export function resolveDatabaseUrl(value: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = /^env:(.*)$/.exec(value)?.[1];
  if (name === undefined) return value;

  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UserError(`--db env:${name}: not an environment variable name.`);
  }
  const url = env[name];
  if (url == null || url.trim() === '') {
    throw new UserError(`--db env:${name}: the environment variable ${name} is not set.`);
  }
  return url;
}

/**
 * The URL as messages may show it: the password and secret query parameters replaced by ***.
 * Text that does not parse as a URL is not shown at all, since any part of it may be a secret.
 */
export function redactUrl(url: string): string {
  const parsed = parseUrl(url);
  if (!parsed) return '(a connection string that is not a URL)';

  if (parsed.password) parsed.password = REDACTED;
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.test(key)) parsed.searchParams.set(key, REDACTED);
  }
  return parsed.href;
}

/** `host:port/database` of a PostgreSQL URL, the way connection messages name it. */
export function describeTarget(url: string): string {
  const parsed = parseUrl(url);
  if (!parsed) return redactUrl(url);

  // libpq's host and port parameters win over the URL's own.
  const host = parsed.searchParams.get('host') || parsed.hostname || 'localhost';
  const port = parsed.searchParams.get('port') || parsed.port || '5432';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default database)';
  return `${host}:${port}/${database}`;
}

/** Checks that the URL names a PostgreSQL server, without showing it. */
export function assertPostgresUrl(url: string): void {
  const parsed = parseUrl(url);
  if (parsed && /^postgres(?:ql)?:$/.test(parsed.protocol)) return;

  const what = parsed ? `a ${parsed.protocol.replace(/:$/, '')}: URL` : 'not a URL';
  throw new UserError(
    `--db: ${what}; give a PostgreSQL URL such as postgres://user@host:5432/database (only PostgreSQL can be read so far).`,
  );
}

/**
 * Removes the URL and its password from a driver's message, in case the driver quotes them.
 * Both the encoded and the decoded password are removed.
 */
export function scrubSecrets(text: string, url: string): string {
  const parsed = parseUrl(url);
  const secrets = [url, parsed?.password ?? '', safeDecode(parsed?.password ?? '')];
  return secrets
    .filter((secret) => secret.length >= 3)
    .sort((a, b) => b.length - a.length)
    .reduce((scrubbed, secret) => scrubbed.replaceAll(secret, REDACTED), text);
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
