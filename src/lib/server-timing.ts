/** Collects `Server-Timing` entries for one request (Workers clocks advance on I/O, which is what we time). */
export class ServerTiming {
  private readonly entries: string[] = [];

  async measure<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await work();
    } finally {
      this.entries.push(`${name};dur=${Date.now() - started}`);
    }
  }

  header(): string {
    return this.entries.join(", ");
  }
}
