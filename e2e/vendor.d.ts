// The part of tar-stream 2.x (a dependency of dockerode, ships no types) the e2e driver uses.
declare module "tar-stream" {
  import type { Readable } from "node:stream";

  export interface Headers {
    name: string;
    size?: number;
    /** Permission bits (the type comes from `type`). */
    mode?: number;
    mtime?: Date;
    type?: "file" | "directory" | "symlink";
    linkname?: string;
    uid?: number;
    gid?: number;
    uname?: string;
    gname?: string;
  }

  export interface Pack extends Readable {
    entry(headers: Headers, buffer: Buffer | string, callback: (error?: Error | null) => void): unknown;
    entry(headers: Headers, callback: (error?: Error | null) => void): unknown;
    finalize(): void;
  }

  export function pack(): Pack;
}
