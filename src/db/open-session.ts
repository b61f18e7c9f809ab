import { UserError } from '../errors.js';
import { openMysqlSession } from './mysql-session.js';
import { openPgSession } from './pg-session.js';
import type { Engine, Session } from './session.js';
import { redactUrl } from './url.js';

/** The engine a connection URL names: postgres(ql):// or mysql:// / mariadb://. */
export function engineOf(url: string, flag: string): Engine {
  const protocol = /^([a-z]+):/i.exec(url)?.[1]?.toLowerCase();
  if (protocol === 'postgres' || protocol === 'postgresql') return 'postgresql';
  if (protocol === 'mysql' || protocol === 'mariadb') return 'mysql';
  throw new UserError(
    `${flag} ${redactUrl(url)}: give a postgres://, mysql:// or mariadb:// URL (or env:NAME holding one).`,
  );
}

/** Opens a read-only session pinned to the settings reconcile relies on. */
export function openSession(url: string, flag: string, timeoutSeconds: number): Promise<Session> {
  return engineOf(url, flag) === 'postgresql'
    ? openPgSession(url, timeoutSeconds)
    : openMysqlSession(url.replace(/^mariadb:/i, 'mysql:'), timeoutSeconds);
}
