/**
 * A start-up failure with a message written for the person running `npm start`: main prints the message alone
 * (no stack) and exits 1.
 */
export class StackError extends Error {
  override readonly name = 'StackError';
}
