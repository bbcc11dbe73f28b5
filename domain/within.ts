/**
 * The promise, or a rejection once `ms` have passed. With Redis down, ioredis queues a
 * command and BullMQ waits for its connection for a long while (forever for BullMQ): a
 * request that has already stored its data must not be held by them. The work itself is
 * not cancelled; a late failure of it is ignored.
 */
export function within<T>(work: Promise<T>, ms: number, what = 'Redis'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
