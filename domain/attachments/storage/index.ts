import type { AttachmentsConfig } from '../config';
import { createFsStorage } from './fs';
import type { Storage } from './types';

export * from './types';

/** The storage the configuration names. S3's SDK is loaded only when used. */
export async function createStorage(config: AttachmentsConfig['storage']): Promise<Storage> {
  if (config.kind === 'fs') return createFsStorage(config.dir);
  const { createS3Storage } = await import('./s3');
  return createS3Storage(config);
}
