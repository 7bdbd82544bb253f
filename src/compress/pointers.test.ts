// The places earlier outputs point at, read from the shapes real tools print them in.

import { describe, expect, it } from 'vitest';
import { Pointers } from './pointers.js';

describe('the places earlier outputs point at', () => {
  it("reads tsc's, gcc's, mypy's, a traceback's, a stack frame's and a grep hit's file and line", () => {
    const pointers = new Pointers();
    pointers.add(
      [
        "src/internal/ajax/ajax.ts(304,31): error TS2304: Cannot find name 'XMLHttpRequestResponseType'.",
        "/usr/include/nlohmann/detail/input/lexer.hpp:1468:5: error: 'noexcept' does not name a type",
        'requests/sessions.py:17: error: Library stubs not installed for "urllib3"',
        '  File "/srv/app/requests/sessions.py", line 589, in request',
        '    at parseHeaders (/work/app/lib/dispatcher/client-h1.js:812:15)',
        'lib/dispatcher/client-h1.js:120:  const timeout = this[kHeadersTimeout]',
      ].join('\n'),
    );
    expect(pointers.linesOf('/tmp/build/rxjs/src/internal/ajax/ajax.ts')).toEqual([304]);
    expect(pointers.linesOf('/usr/include/nlohmann/detail/input/lexer.hpp')).toEqual([1468]);
    expect(pointers.linesOf('/srv/app/requests/sessions.py')).toEqual([17, 589]);
    expect(pointers.linesOf('lib/dispatcher/client-h1.js')).toEqual([120, 812]);
  });

  it("matches a file by the whole of the shorter path, so another directory's file of that name does not count", () => {
    const pointers = new Pointers();
    pointers.add(
      'src/a/index.ts:10:1 - error TS2322\nsrc/b/index.ts(20,1): error TS2322\n../up/index.ts:30: x',
    );
    expect(pointers.linesOf('/repo/src/a/index.ts')).toEqual([10]);
    expect(pointers.linesOf('src/b/index.ts')).toEqual([20]);
    expect(pointers.linesOf('/repo/src/c/index.ts')).toEqual([]);
    expect(pointers.linesOf('index.ts')).toEqual([10, 20, 30]);
    expect(pointers.linesOf(undefined)).toEqual([]);
  });

  it('reads nothing from text without places, a huge single line included', () => {
    const pointers = new Pointers();
    pointers.add('x'.repeat(5 * 1024 * 1024));
    pointers.add(`${'a/'.repeat(100_000)}b.ts`);
    pointers.add('version 1.2.3: released, see notes.md for more');
    expect(pointers.linesOf('b.ts')).toEqual([]);
    expect(pointers.linesOf('notes.md')).toEqual([]);
  });
});
