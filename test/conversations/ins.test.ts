import { describe, expect, it } from 'vitest';
import { insKey, matriculeProblem } from '../../domain/patients';

describe('INS matricule key', () => {
  it('accepts a NIR with its key (97 − NIR mod 97)', () => {
    // 1 84 12 76 451 089: key 97 − (1841276451089 mod 97) = 46
    expect(insKey('1841276451089')).toBe('46');
    expect(matriculeProblem('184127645108946')).toBeNull();
    expect(matriculeProblem('1 84 12 76 451 089 46')).toBeNull();
  });

  it('reads Corsica 2A as 19 and 2B as 18', () => {
    const a = insKey('184022A045108');
    expect(a).toBe(insKey('1840219045108'));
    expect(matriculeProblem(`184022A045108${a}`)).toBeNull();
    const b = insKey('184022B045108');
    expect(b).toBe(insKey('1840218045108'));
    expect(b).not.toBe(a);
    expect(matriculeProblem(`184022b045108${b}`)).toBeNull();
  });

  it('refuses a wrong key, a wrong length or a malformed NIR', () => {
    expect(matriculeProblem('184127645108947')).toMatch(/wrong key/);
    expect(matriculeProblem('18412764510894')).toMatch(/15 characters/);
    expect(matriculeProblem('9841276451089AB')).toMatch(/not a NIR/);
  });
});
