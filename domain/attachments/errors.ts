import Boom from '@hapi/boom';

/** Not found and not allowed look the same: a stranger learns nothing about ids. */
export function attachmentNotFound(): Boom.Boom {
  return Boom.notFound('File not found');
}

export function storageUnavailable(): Boom.Boom {
  const error = Boom.serverUnavailable(
    'File storage is unavailable right now; nothing of this part was kept. Try again in a moment.',
  );
  error.output.headers['Retry-After'] = '30';
  return error;
}

const MB = 1024 * 1024;

/** "25 MB", "200 MB", "0.5 MB": limits as people read them. */
export function megabytes(bytes: number): string {
  const mb = bytes / MB;
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}
