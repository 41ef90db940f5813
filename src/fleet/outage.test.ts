import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outageLog } from './outage.ts';

test('an outage is told in one warning, a reminder a minute, and one line when it ends', () => {
  let now = 0;
  const lines: string[] = [];
  const log = outageLog(
    {
      warn: (_obj: object, msg: string) => lines.push(`warn ${msg}`),
      info: (obj: object, msg: string) => lines.push(`info ${msg} ${JSON.stringify(obj)}`),
    },
    { now: () => now },
  );
  log.ok();
  assert.deepEqual(lines, [], 'nothing to say while all is well');
  for (; now < 90_000; now += 250) log.failed('queue', new Error('read ECONNRESET'));
  log.ok();
  log.ok();
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.match(lines[0] ?? '', /^warn the database cannot be reached/);
  assert.match(lines[1] ?? '', /^warn the database still cannot be reached/);
  assert.match(
    lines[2] ?? '',
    /^info the database is reachable again .*"errors":360,"downSeconds":90/,
  );
  log.failed('presence', new Error('again'));
  assert.match(
    lines[3] ?? '',
    /^warn the database cannot be reached/,
    'a new outage is told again',
  );
});
