import { randomBytes } from 'node:crypto';
import { type Env, loadEnv } from '../../config/env';

/**
 * The stack's environment with databases and a task queue of this test's own, so test
 * files never see each other's data or workers.
 */
export function isolatedEnv(name: string): Env {
  const suffix = `${name}_${randomBytes(4).toString('hex')}`;
  return loadEnv({
    ...process.env,
    RESTORE_TARGET_DB: `app_${suffix}`,
    RESTORE_CONTROL_DB: `restore_${suffix}`,
    RESTORE_TASK_QUEUE: `test-${suffix}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
}
