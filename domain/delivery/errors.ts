/**
 * A delivery that did not go out. `permanent` failures (invalid address, number that
 * cannot receive SMS…) will fail again whatever we do: the worker gives up at once and
 * records the reason. Others (timeouts, provider 5xx, connection lost) are retried with
 * backoff.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly code?: string | number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
