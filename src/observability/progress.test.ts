import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProgress } from './progress.ts';

function fakeStream(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return {
    stream: {
      isTTY,
      ...(columns === undefined ? {} : { columns }),
      write(chunk: string) {
        writes.push(chunk);
        return true;
      },
    },
    writes,
  };
}

function fakeTime(start = 1000) {
  let ms = start;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

describe('createProgress', () => {
  test('on a terminal, redraws one line with counts and rate, then a final line', () => {
    const { stream, writes } = fakeStream(true);
    const time = fakeTime();
    const progress = createProgress({ stream, now: time.now });
    progress.phase('auriga');
    for (let page = 1; page <= 3; page++) {
      time.advance(1000);
      progress.tick(400, `${page} pages`);
    }
    progress.done();

    assert.ok(
      writes.every((w) => w.startsWith('\r')),
      'every redraw returns to the line start',
    );
    assert.equal(writes.filter((w) => w.includes('\n')).length, 1, 'one final line');
    assert.equal(writes.at(-2), '\rreading Auriga  1,200 rows  (3 pages, 400 rows/s)\x1b[K');
    assert.equal(
      writes.at(-1),
      '\rreading Auriga  1,200 rows in 3 s  (3 pages, 400 rows/s)\x1b[K\n',
    );
  });

  test('redraws at most about ten times a second', () => {
    const { stream, writes } = fakeStream(true);
    const time = fakeTime();
    const progress = createProgress({ stream, now: time.now });
    progress.phase('write', 1000);
    for (let i = 0; i < 1000; i++) {
      time.advance(1); // 1,000 ticks in one second
      progress.tick();
    }
    const redraws = writes.length - 1; // the phase's first line
    assert.ok(redraws >= 9 && redraws <= 11, `${redraws} redraws in a second`);
    progress.done();
    assert.match(
      writes.at(-1) ?? '',
      /^\rwriting Edusign {2}1,000\/1,000 operations 100% in 1 s {2}\(1,000 operations\/s\)/,
    );
  });

  test('a new phase ends the previous one; each leaves its line', () => {
    const { stream, writes } = fakeStream(true);
    const time = fakeTime();
    const progress = createProgress({ stream, now: time.now });
    progress.phase('auriga');
    progress.tick(10);
    progress.phase('plan', 10);
    time.advance(50);
    progress.tick(10);
    progress.done();
    progress.done(); // twice is harmless
    progress.tick(5); // outside a phase: ignored
    const finals = writes.filter((w) => w.endsWith('\n'));
    assert.equal(finals.length, 2);
    assert.match(finals[0] ?? '', /reading Auriga {2}10 rows in 0 ms/);
    assert.match(finals[1] ?? '', /planning {2}10\/10 records 100% in 50 ms/);
  });

  test('a line never wraps a narrow terminal', () => {
    const { stream, writes } = fakeStream(true, 20);
    const progress = createProgress({ stream, now: fakeTime().now });
    progress.phase('write', 123456);
    progress.done();
    for (const w of writes) {
      const text = w.replace('\r', '').replace('\x1b[K', '').replace('\n', '');
      assert.ok(text.length < 20, `"${text}" fits`);
    }
  });

  test('not a terminal: writes nothing', () => {
    const { stream, writes } = fakeStream(false);
    const progress = createProgress({ stream });
    progress.phase('auriga');
    progress.tick(100, '1 page');
    progress.done();
    assert.deepEqual(writes, []);
  });

  test('disabled explicitly on a terminal, or enabled explicitly off one', () => {
    const tty = fakeStream(true);
    const off = createProgress({ stream: tty.stream, enabled: false });
    off.phase('plan');
    off.done();
    assert.deepEqual(tty.writes, []);
    const pipe = fakeStream(false);
    const on = createProgress({ stream: pipe.stream, enabled: true });
    on.phase('plan');
    on.done();
    assert.equal(pipe.writes.length, 2);
  });

  test('writing shows how long is left, from the pace so far; the final line does not', () => {
    const { stream, writes } = fakeStream(true);
    const time = fakeTime();
    const progress = createProgress({ stream, now: time.now });
    progress.phase('write', 100);
    time.advance(1000);
    progress.tick(25);
    assert.match(writes.at(-1) ?? '', /25\/100 operations 25% .*about 3 s left/);
    time.advance(90_000);
    progress.tick(25);
    assert.match(writes.at(-1) ?? '', /about 1 min 31 s left/);
    progress.done();
    assert.doesNotMatch(writes.at(-1) ?? '', /left/);
  });

  test('a phase with nothing counted says what it did, never "0 records in 0 s"', () => {
    const { stream, writes } = fakeStream(true);
    const time = fakeTime();
    const progress = createProgress({ stream, now: time.now });
    progress.phase('edusign');
    time.advance(1500);
    progress.phase('plan');
    time.advance(20);
    progress.tick(0, '42 operations');
    progress.phase('write', 0);
    progress.done();
    const finals = writes.filter((w) => w.endsWith('\n'));
    for (const line of writes)
      assert.doesNotMatch(line, / 0 (records|rows|operations)\b|\/s\)|in 0 s/);
    assert.equal(finals[0], '\rreading Edusign  done in 1.5 s\x1b[K\n');
    assert.equal(finals[1], '\rplanning  42 operations in 20 ms\x1b[K\n');
    assert.equal(finals[2], '\rwriting Edusign  nothing to write\x1b[K\n');
  });
});
