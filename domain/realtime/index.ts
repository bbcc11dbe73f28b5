export {
  publishSessionsEnded,
  realtimeControlChannel,
  type SessionsEnded,
} from './control';
export type { Envelope, RealtimeEvent } from './events';
export { publishEvent, realtimeChannel } from './publish';
