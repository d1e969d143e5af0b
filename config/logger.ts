import pino from 'pino';
import { loadEnv } from './env';

/**
 * The process-wide logger. Info-level lines carry campaign ids, categories and counts,
 * never user ids or record contents (DEVELOPERS.md: no personal data at info level).
 * Logs go to stderr so that `--json` output on stdout stays machine-readable.
 */
export const logger = pino({ level: loadEnv().LOG_LEVEL, base: undefined }, pino.destination(2));
