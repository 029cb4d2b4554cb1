/**
 * A problem with the machine's setup that keeps a local server from starting and that the user
 * can fix. The message is one line that says what is wrong and how to fix it, so a CLI prints it
 * as it is, without a stack.
 */
export class StackSetupError extends Error {
  override readonly name = 'StackSetupError';
}
