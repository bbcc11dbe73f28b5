/**
 * Groups the calls made within a few milliseconds into one call of `run` (one SQL
 * statement for many deliveries): with a worker running hundreds of jobs at once, the
 * database connection pool, not the SMTP server, was the limit. Each caller still gets
 * its own result, or the batch's error.
 */
export class Batcher<In, Out> {
  private pending: Array<{ input: In; resolve(out: Out): void; reject(err: unknown): void }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly run: (inputs: In[]) => Promise<Out[]>,
    private readonly options: { maxSize: number; maxWaitMs: number } = {
      maxSize: 100,
      maxWaitMs: 2,
    },
  ) {}

  call(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (this.pending.length >= this.options.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    this.run(batch.map((b) => b.input)).then(
      (outs) => {
        for (const [i, b] of batch.entries()) b.resolve(outs[i]!);
      },
      (err) => {
        for (const b of batch) b.reject(err);
      },
    );
  }
}
