import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { sessionByPrefix } from './session-prefix.js';

describe('a session named by the start of its id', () => {
  const ids = ['8f2c1a9b-0001', '8f2c1a9b-0002', '3d41aa07-77e0', 'exact'];

  it('finds the one id a prefix begins, and an id given whole', () => {
    expect(sessionByPrefix('3d41aa', ids)).toBe('3d41aa07-77e0');
    expect(sessionByPrefix('8f2c1a9b-0002', ids)).toBe('8f2c1a9b-0002');
    expect(sessionByPrefix('exact', [...ids, 'exactly-another'])).toBe('exact');
  });

  it('says in one line when a prefix begins none or several', () => {
    expect(() => sessionByPrefix('ffff', ids)).toThrow(UsageError);
    expect(() => sessionByPrefix('ffff', ids)).toThrow('no recorded session starts with "ffff"');
    expect(() => sessionByPrefix('8f2c', ids)).toThrow(
      '"8f2c" begins 2 sessions (8f2c1a9b-0001, 8f2c1a9b-0002): give more of the id',
    );
  });
});
