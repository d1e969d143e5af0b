import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { logger } from '../config/logger';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** Sends the Temporal SDK's logs (worker, workflow and activity loggers) through pino. */
class PinoTemporalLogger implements Logger {
  constructor(private readonly pino: PinoLogger) {}
  log(level: LogLevel, message: string, meta: LogMetadata = {}) {
    // Task tokens are opaque and long; they add nothing to a log line.
    const { taskToken: _token, ...rest } = meta as Record<string, unknown>;
    this.pino[PINO_LEVEL[level]](rest, message);
  }
  trace = (m: string, meta?: LogMetadata) => this.log('TRACE', m, meta);
  debug = (m: string, meta?: LogMetadata) => this.log('DEBUG', m, meta);
  info = (m: string, meta?: LogMetadata) => this.log('INFO', m, meta);
  warn = (m: string, meta?: LogMetadata) => this.log('WARN', m, meta);
  error = (m: string, meta?: LogMetadata) => this.log('ERROR', m, meta);
}

let installed = false;

/**
 * Routes the SDK's logs through pino at `level` (default: the process logger's). Call
 * once, before the first worker or connection; later calls do nothing, as the SDK's
 * runtime can be installed only once.
 */
export function installRuntimeLogging(level?: string): void {
  if (installed) return;
  installed = true;
  Runtime.install({ logger: new PinoTemporalLogger(level ? logger().child({}, { level }) : logger()) });
}
