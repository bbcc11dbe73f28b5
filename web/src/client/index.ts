export { RealtimeClient, type RealtimeEvents, type RealtimeOptions } from './realtime';
export { ApiError, type ApiOptions, newId, RelaisApi } from './rest';
export type * from './types';
export {
  UploadError,
  Uploader,
  type UploaderOptions,
  type UploadFailure,
} from './uploads';
