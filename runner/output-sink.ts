/**
 * Where one replay's combined output goes, whichever way it runs (a bash process, a TypeScript worker
 * thread): the output file, capped at `maxOutputBytes`, and an OutputScanner that reads everything but
 * keeps only the markers and a bounded tail. A source that writes faster than the disk is paused until
 * the file drains, so memory stays bounded.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import type { Readable } from "node:stream";
import { OutputScanner, type OutputDigest } from "./output-scanner";

export interface OutputSinkOptions {
  outputFile: string;
  /** The output file stops growing here (the scanner still reads everything). */
  maxOutputBytes: number;
  tailBytes: number;
}

export interface OutputTotals {
  digest: OutputDigest;
  /** Bytes written to the output file. */
  outputBytes: number;
  outputTruncated: boolean;
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}

export class OutputSink {
  private readonly out: WriteStream;
  private readonly scanner: OutputScanner;
  private readonly sources: Readable[] = [];
  private outputBytes = 0;
  private outputTruncated = false;
  private paused = false;
  private finished = false;

  constructor(private readonly options: OutputSinkOptions) {
    mkdirSync(dirname(options.outputFile), { recursive: true });
    this.out = createWriteStream(options.outputFile);
    this.scanner = new OutputScanner({ tailBytes: options.tailBytes });
  }

  /**
   * Feeds everything `stream` emits, in arrival order with the other attached streams (through
   * `filter` first when given: it returns what to keep).
   */
  attach(stream: Readable, filter?: (chunk: Buffer) => Buffer): void {
    this.sources.push(stream);
    stream.on("data", (chunk: Buffer | string) => {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      this.feed(filter ? filter(buffer) : buffer);
    });
  }

  /** True while a source is paused because the file has not drained yet. */
  get waiting(): boolean {
    return this.paused;
  }

  /** Output of the replay (scanned, and written to the file up to the cap). Ignored once finished. */
  feed(chunk: Buffer | string): void {
    if (this.finished) return;
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (buffer.length === 0) return;
    this.scanner.feed(buffer);
    if (this.outputTruncated) return;
    const room = this.options.maxOutputBytes - this.outputBytes;
    const piece = buffer.length <= room ? buffer : buffer.subarray(0, Math.max(room, 0));
    this.outputBytes += piece.length;
    let ok = this.out.write(piece);
    if (piece.length < buffer.length) {
      this.outputTruncated = true;
      ok = this.out.write(
        `\n[runner] output truncated: the file keeps the first ${formatBytes(this.options.maxOutputBytes)}\n`,
      );
    }
    // Backpressure: a replay that prints faster than the disk writes waits, instead of filling memory.
    if (!ok && !this.paused) {
      this.paused = true;
      for (const s of this.sources) s.pause();
      this.out.once("drain", () => {
        this.paused = false;
        for (const s of this.sources) s.resume();
      });
    }
  }

  /** A line from the runner itself: into the file only, never read as the replay's verdict. */
  note(text: string): void {
    if (!this.finished) this.out.write(text);
  }

  async finish(): Promise<OutputTotals> {
    this.finished = true;
    await new Promise<void>((resolve) => this.out.end(resolve));
    return {
      digest: this.scanner.finish(),
      outputBytes: this.outputBytes,
      outputTruncated: this.outputTruncated,
    };
  }
}
