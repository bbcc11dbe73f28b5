import { afterEach, describe, expect, it, vi } from 'vitest';
import { newId } from '../../web/src/client';

describe('client-generated message ids', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('are UUID v4 even where crypto.randomUUID is missing (page served over http)', () => {
    const { getRandomValues } = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: getRandomValues.bind(globalThis.crypto) });
    const ids = new Set(Array.from({ length: 100 }, () => newId()));
    expect(ids.size).toBe(100);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});
