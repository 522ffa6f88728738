/**
 * The machine lacks what the check needs (dockerd does not start, e.g. in an unprivileged container; no debootstrap
 * when the official base cannot be pulled): the check cannot run here, which is not its failure (exit code 2).
 */
export class CannotRunHereError extends Error {
  override readonly name = 'CannotRunHereError';
}
