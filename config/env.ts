import { z } from 'zod';
import { ConfigError } from '../domain/errors';

/** The environment restorectl reads (docs/design.md §6), with its defaults. */
const EnvSchema = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .regex(
      /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?$/,
      'must be host:port (an IPv6 host in brackets), such as 127.0.0.1:7233',
    )
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .default('mongodb://127.0.0.1:27017/'),
  RESTORE_TARGET_DB: z.string().min(1).default('app'),
  RESTORE_CONTROL_DB: z.string().min(1).default('restore'),
  RESTORE_TASK_QUEUE: z.string().min(1).default('restorectl'),
  /** How long a worker keeps trying to reach Temporal at start before it exits non-zero. */
  RESTORE_CONNECT_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /**
   * The JS heap a worker runs with, in MiB (worker/heap-limit.ts); 0 leaves it to V8, which
   * sizes it from the machine's memory and lets garbage pile up towards that.
   */
  RESTORE_WORKER_HEAP_MIB: z.coerce.number().int().min(0).max(1_048_576).default(384),
  /** API tokens of `restorectl serve`: `token:role[:name],…` (server/tokens.ts). */
  RESTORE_API_TOKENS: z.string().optional(),
  /** A file of API tokens, one `token:role[:name]` per line; read when RESTORE_API_TOKENS is not set. */
  RESTORE_API_TOKENS_FILE: z.string().optional(),
  /** Folders whose snapshots `restorectl serve` may read on a caller's word, joined by `:` (server/snapshot-roots.ts). */
  RESTORE_SNAPSHOT_ROOTS: z.string().optional(),
  /** The key a worker signs webhook deliveries with (HMAC-SHA256; activities/delivery.ts); a campaign started with a notify URL needs it. */
  RESTORE_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof EnvSchema>;

/**
 * Parses the process environment (or the given one) into typed settings.
 * Throws {@link ConfigError} naming the first bad variable.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`bad environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
