import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdMint, pageOf, Table } from './table.ts';

interface Thing {
  readonly ID: string;
  API_ID: string | null;
  name: string;
}

const clock = () => new Date('2026-11-20T10:00:00.000Z');

test('one mint gives distinct ObjectId-shaped ids to every table it serves', () => {
  const mint = new IdMint(clock);
  const a = new Table<Thing>(mint, 'course');
  const b = new Table<Thing>(mint, 'group');
  const ids = [
    a.insert((ID) => ({ ID, API_ID: null, name: 'a' })),
    b.insert((ID) => ({ ID, API_ID: null, name: 'b' })),
    a.insert((ID) => ({ ID, API_ID: null, name: 'c' })),
  ];
  assert.equal(new Set(ids).size, 3);
  for (const id of ids) assert.match(id, /^[0-9a-f]{24}$/);
  assert.deepEqual(
    a.values().map((t) => t.name),
    ['a', 'c'],
  );
});

test('get-id answers the first record created with an API_ID, or the entity’s not-found sentence', () => {
  const table = new Table<Thing>(new IdMint(clock), 'student');
  const first = table.insert((ID) => ({ ID, API_ID: 'X', name: 'first' }));
  table.insert((ID) => ({ ID, API_ID: 'X', name: 'second' }));
  assert.deepEqual(table.idByApiId('X'), { ok: true, value: { ID: first, id: first } });
  assert.deepEqual(table.idByApiId('Y'), { ok: false, message: 'Student not found' });
});

test('a PATCH target needs the entity, an ID, and a known record', () => {
  const table = new Table<Thing>(new IdMint(clock), 'group');
  const id = table.insert((ID) => ({ ID, API_ID: null, name: 'g' }));
  assert.deepEqual(table.patchTarget(undefined), { ok: false, message: ['group is required'] });
  assert.deepEqual(table.patchTarget({ NAME: 'x' }), { ok: false, message: ['ID is required'] });
  assert.deepEqual(table.patchTarget({ ID: 'nope' }), { ok: false, message: 'Group not found' });
  const target = table.patchTarget({ ID: id, NAME: 'x' });
  assert.ok(target.ok);
  assert.equal(target.value.record.name, 'g');
});

test('pages are 0-based slices', () => {
  assert.deepEqual(pageOf([1, 2, 3, 4, 5], 0, 2), [1, 2]);
  assert.deepEqual(pageOf([1, 2, 3, 4, 5], 2, 2), [5]);
  assert.deepEqual(pageOf([1, 2, 3, 4, 5], 3, 2), []);
});
