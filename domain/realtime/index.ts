export type { Envelope, RealtimeEvent } from './events';
export { publishEvent, realtimeChannel } from './publish';
