/** Variables global setup leaves for the test files (besides the stack's own DATABASE_URL, ...). */
export const TEST_ENV_KEYS = {
  adminDatabaseUrl: 'PIPEFORGE_TEST_ADMIN_DATABASE_URL',
  workflowBundle: 'PIPEFORGE_TEST_WORKFLOW_BUNDLE',
  dataDir: 'PIPEFORGE_TEST_DATA_DIR',
} as const;

export const TEMPLATE_DATABASE = 'pipeforge_template';

export function requireTestEnv(key: string): string {
  const value = process.env[key];
  if (!value) throw new Error(`${key} is not set: integration tests run through the jest project that starts the stack`);
  return value;
}
