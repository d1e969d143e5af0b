import pino, { type Logger } from 'pino';
import { loadEnv } from './env';

let processLogger: Logger | undefined;

/**
 * The process-wide logger, made on first use at the level of LOG_LEVEL: made when the
 * module loads, a bad environment would break every command, even `--help`, with a
 * stack trace instead of the one-line error the command that needs it gives.
 * Info-level lines carry campaign ids, categories and counts, never user ids or record
 * contents (DEVELOPERS.md: no personal data at info level). Logs go to stderr so that
 * `--json` output on stdout stays machine-readable.
 */
export function logger(): Logger {
  processLogger ??= pino({ level: loadEnv().LOG_LEVEL, base: undefined }, pino.destination(2));
  return processLogger;
}
