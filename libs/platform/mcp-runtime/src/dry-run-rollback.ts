/** Thrown inside a dry run's transaction to roll it back; carries the output the call answers with. */
export class DryRunRollback extends Error {
  readonly output: Record<string, unknown>;
  constructor(output: Record<string, unknown>) {
    super('dry run');
    this.output = output;
  }
}
