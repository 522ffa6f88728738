/** One bad setting, described without its value when the value may be secret. */
export interface ConfigIssue {
  /** Name of the environment variable (empty for a rule spanning several settings). */
  readonly setting: string;
  /** What is wrong, e.g. `required` or `expected an integer between 1 and 65535 (got "abc")`. */
  readonly message: string;
}

/**
 * Thrown by `parseConfig` when the environment does not satisfy the app's schema. Its message is one
 * line naming every bad setting — the line `loadConfigOrExit` prints before the process stops:
 * `invalid configuration: PORT: expected an integer between 1 and 65535 (got "abc"); DATABASE_URL: required`.
 */
export class ConfigError extends Error {
  /** Every bad setting, in schema order. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(`invalid configuration: ${issues.map((i) => (i.setting ? `${i.setting}: ${i.message}` : i.message)).join('; ')}`);
    this.name = 'ConfigError';
    this.issues = Object.freeze([...issues]);
  }
}
