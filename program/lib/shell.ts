/** Shell quoting for the command lines the program hands to `/bin/sh -c` (Commands). */

/** POSIX shell single-quoting: what a Command runs under /bin/sh -c. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
