import { describe, expect, it } from 'vitest';
import { insKey as serverKey, matriculeProblem as serverProblem } from '../../domain/patients';
import { insKey, matriculeProblem } from '../../web/src/ins';

/** The browser's INS check must agree with the server's (domain/patients/ins.ts). */
describe('INS matricule check in the web components', () => {
  it('computes the same key as the server, Corsica included', () => {
    const samples = ['1840578006084', '2690299341732', '1552A12345678', '2712B98765432'];
    for (let i = 0; i < 200; i++) {
      const sex = '1278'[i % 4];
      const body = String(1e11 + ((i * 7_919_191) % 9e11)).padStart(12, '0');
      samples.push(`${sex}${body}`);
    }
    for (const nir of samples) expect(insKey(nir)).toBe(serverKey(nir));
  });

  it('accepts and refuses the same matricules as the server', () => {
    const good = `1840578006084${serverKey('1840578006084')}`;
    const cases = [
      good,
      `${good.slice(0, 13)}00`,
      good.slice(0, 14),
      `9${good.slice(1)}`,
      ` ${good} `,
    ];
    for (const value of cases) {
      expect(matriculeProblem(value) === null).toBe(serverProblem(value) === null);
    }
  });
});
