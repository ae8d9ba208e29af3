/**
 * A bad input to the config coherence lint (exit 2): a file that is missing, unreadable, of the wrong
 * format or ambiguous, an allow file that is malformed, a stack config that does not validate. The
 * message says what is wrong and what to do; it never carries a value from the files.
 */
export class BadInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadInput";
  }
}
