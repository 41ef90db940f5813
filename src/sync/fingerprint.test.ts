import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Hash53, hash53 } from '../domain/hash.ts';
import type { Mapping } from '../domain/types.ts';
import type { PersonPayload, SheetPayload } from '../rules/payloads.ts';
import {
  base36,
  changedFields,
  changedSheetFields,
  FROZEN_FINGERPRINT,
  fieldDigests,
  fingerprint,
  parseFingerprint,
} from './fingerprint.ts';
import { plan } from './plan.ts';

const ZOE: PersonPayload = { lastName: 'DOE', firstName: 'Zoé', email: 'zoe@school.test' };
const SHEET: SheetPayload = {
  name: 'Cours § Maths',
  description: null,
  classroom: 'Salle 1',
  start: '2026-12-02T08:00:00.000Z',
  end: '2026-12-02T10:00:00.000Z',
  instructors: ['I1'],
  learners: ['L1', 'L2'],
  groups: [],
};
/** Written by the connector before v2 (SHA-256 per field), copied from a store as is. */
const ZOE_V1 = 'v1;email=aTKriF4rwfJA;firstName=PdJ0BrmrCcKA;lastName=V_goTZ3hnLa_';
const SHEET_V1 =
  'v1;classroom=RYCtsGfwVpRe;description=dCNOmK_nSY-1;end=xWbNRr-SxMzC;groups=T1PNoYwrqgwD;instructors=R4_vRCNEJEr5;learners=HSSe9RmpdEKe;name=gPhQc5KxDL_q;start=JE1SaTGw39EZ';

/** A v2 field digest by its definition: the hash of the field's JSON, in base 36. */
const v2Digest = (value: unknown) => hash53(JSON.stringify(value)).toString(36);
const fieldsOf = (payload: object) =>
  Object.keys(payload)
    .sort()
    .map((key) => [key, payload[key as keyof typeof payload] as unknown] as const);
/** What v2 wrote for a payload (stores upgraded from v2 hold it). */
const v2Text = (payload: object) =>
  `v2;${fieldsOf(payload)
    .map(([key, value]) => `${key}=${v2Digest(value)}`)
    .join(';')}`;
/** A v3 fingerprint by its definition: the record digest (the key list's seed, then each field's digest), then the v2 pairs. */
const v3Text = (payload: object) => {
  const fields = fieldsOf(payload);
  const record = new Hash53().reset(hash53(fields.map(([key]) => key).join(';')) >>> 0);
  for (const [, value] of fields) record.digest(hash53(JSON.stringify(value)));
  return `v3:${record.value().toString(36)};${v2Text(payload).slice('v2;'.length)}`;
};

describe('fingerprints', () => {
  test('written as v3, a record digest then one digest per field; equal payloads, equal fingerprints', () => {
    const text = fingerprint(SHEET);
    assert.match(text, /^v3:[0-9a-z]+;classroom=[0-9a-z]+;description=[0-9a-z]+;end=/);
    assert.equal(parseFingerprint(text)?.version, 'v3');
    assert.deepEqual(Object.keys(parseFingerprint(text)?.fields ?? {}), Object.keys(SHEET).sort());
    assert.equal(fingerprint({ ...SHEET }), text);
    assert.deepEqual(changedFields(SHEET, text), []);
    assert.deepEqual(changedSheetFields(SHEET, text), []);
  });

  test('property: exactly the fields that differ are named, on v3 and on v2', () => {
    const person = fc.record({ lastName: fc.string(), firstName: fc.string(), email: fc.string() });
    fc.assert(
      fc.property(person, person, (a, b) => {
        const expected = (['email', 'firstName', 'lastName'] as const).filter((k) => a[k] !== b[k]);
        assert.deepEqual(changedFields(b, fingerprint(a)), expected);
        assert.deepEqual(changedFields(b, v2Text(a)), expected);
      }),
      { numRuns: 500 },
    );
  });

  test("property: digests are the hash of the field's JSON, whatever the text (escapes, lone surrogates) and however the list is held; v2 texts still read", () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'binary', minLength: 60, maxLength: 200 }),
    );
    fc.assert(
      fc.property(
        text,
        fc.option(text),
        fc.array(text),
        fc.array(text, { minLength: 8 }),
        (name, description, short, long) => {
          const payload = {
            name,
            description,
            classroom: null,
            start: name,
            end: name,
            instructors: short,
            learners: Object.freeze(long),
            groups: Object.freeze(short),
          };
          assert.deepEqual(
            fieldDigests(payload),
            Object.fromEntries(fieldsOf(payload).map(([key, value]) => [key, v2Digest(value)])),
          );
          assert.equal(fingerprint(payload), v3Text(payload));
          const changed = { ...payload, learners: [...long, 'x'] };
          for (const written of [v3Text(payload), v2Text(payload)]) {
            assert.deepEqual(changedFields(payload, written), []);
            assert.deepEqual(changedSheetFields(payload, written), []);
            assert.deepEqual(changedFields(changed, written), ['learners']);
            assert.deepEqual(changedSheetFields(changed, written), ['learners']);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('the record digest depends on the key list: the same digests under other names are a change', () => {
    const renamed = { lastName: ZOE.lastName, firstName: ZOE.firstName, mail: ZOE.email };
    const text = fingerprint(renamed as unknown as PersonPayload);
    assert.deepEqual(changedFields(ZOE, text), ['email']);
  });

  test('property: base36 writes a 53-bit digest as toString(36) does', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.integer({ min: 0, max: 53 }), (n, bits) => {
        const value = n % 2 ** bits;
        assert.equal(base36(value), value.toString(36));
      }),
      { numRuns: 2000 },
    );
    for (const value of [0, 1, 35, 36, 36 ** 6, 2 ** 32, 2 ** 53 - 1])
      assert.equal(base36(value), value.toString(36));
  });

  test('a digest is compared as written: with a leading zero or in capitals it is a change', () => {
    const v2 = v2Text(ZOE);
    const email = parseFingerprint(v2)?.fields.email ?? '';
    assert.deepEqual(changedFields(ZOE, v2.replace(`email=${email}`, `email=0${email}`)), [
      'email',
    ]);
    assert.deepEqual(
      changedFields(ZOE, v2.replace(`email=${email}`, `email=${email.toUpperCase()}`)),
      ['email'],
    );
    assert.deepEqual(changedFields(ZOE, `${v2};extra=1`), []);
    assert.deepEqual(changedFields(ZOE, v2.slice(0, -1)), ['lastName']);
    // v3: a record digest not as written sends the comparison to the fields, which decide.
    const v3 = fingerprint(ZOE);
    const record = v3.slice('v3:'.length, v3.indexOf(';'));
    for (const other of [`0${record}`, record.toUpperCase(), `${record}0`]) {
      const text = v3.replace(record, other);
      assert.deepEqual(changedFields(ZOE, text), []);
      assert.deepEqual(changedFields(ZOE, text.replace(`email=${email}`, `email=0${email}`)), [
        'email',
      ]);
    }
  });

  test("a sheet's quick comparison names what changedFields names, v1 and unreadable texts included", () => {
    const text = fc.constantFrom('a', 'b', 'Salle 1', '2026-12-02T08:00:00.000Z');
    const list = fc.constantFrom(Object.freeze(['L1']), Object.freeze(['L1', 'L2']), [], ['x"y']);
    const sheet = fc.record({
      name: text,
      description: fc.option(text),
      classroom: fc.option(text),
      start: text,
      end: text,
      instructors: list,
      learners: list,
      groups: list,
    });
    fc.assert(
      fc.property(sheet, sheet, (before, now) => {
        for (const stored of [
          fingerprint(before),
          v2Text(before),
          SHEET_V1,
          FROZEN_FINGERPRINT,
          'v2;name=1',
          'v3:1;name=1',
        ])
          assert.deepEqual(changedSheetFields(now, stored), changedFields(now, stored));
      }),
      { numRuns: 500 },
    );
    assert.deepEqual(changedSheetFields(SHEET, SHEET_V1), []);
  });

  test("a sheet's quick comparison reads each field where the fingerprint has it: any two swapped are both changed", () => {
    const distinct: SheetPayload = {
      name: 'n',
      description: 'd',
      classroom: 'c',
      start: 's',
      end: 'e',
      instructors: ['i'],
      learners: ['l'],
      groups: ['g'],
    };
    const fields = Object.keys(distinct).sort() as (keyof SheetPayload)[];
    for (const [i, a] of fields.entries())
      for (const b of fields.slice(i + 1)) {
        const swapped = { ...distinct, [a]: distinct[b], [b]: distinct[a] };
        for (const written of [fingerprint, v2Text])
          assert.deepEqual(changedSheetFields(distinct, written(swapped)), [a, b], `${a} ${b}`);
      }
    assert.deepEqual(changedSheetFields(distinct, fingerprint(distinct)), []);
    assert.deepEqual(changedSheetFields(distinct, v2Text(distinct)), []);
  });

  test('a v1 fingerprint from before the upgrade is read: unchanged is unchanged, a change is that field alone', () => {
    assert.deepEqual(changedFields(ZOE, ZOE_V1), []);
    assert.deepEqual(changedFields(SHEET, SHEET_V1), []);
    assert.deepEqual(changedFields({ ...ZOE, firstName: 'Zoe' }, ZOE_V1), ['firstName']);
    assert.deepEqual(changedFields({ ...SHEET, learners: ['L1'], classroom: null }, SHEET_V1), [
      'classroom',
      'learners',
    ]);
  });

  test('frozen or unknown: every field differs', () => {
    assert.deepEqual(changedFields(ZOE, FROZEN_FINGERPRINT), ['email', 'firstName', 'lastName']);
    assert.deepEqual(changedFields(ZOE, 'v0;email=x'), ['email', 'firstName', 'lastName']);
  });

  test('after the upgrade, a school whose store holds only v1 fingerprints plans no write', () => {
    const at = '2026-12-01T10:00:00.000Z';
    const mapping = (kind: Mapping['kind'], aurigaId: string, fp: string): Mapping => ({
      kind,
      aurigaId,
      edusignId: `E-${aurigaId}`,
      fingerprint: fp,
      origin: 'created',
      courseStart: kind === 'sheet' ? SHEET.start : null,
      createdAt: at,
      updatedAt: at,
    });
    const learners = ['L1', 'L2'].map((id) => ({ kind: 'learner' as const, id, ...ZOE }));
    const result = plan({
      snapshot: {
        window: {
          from: '2026-11-30T23:00:00.000Z',
          to: '2026-12-14T23:00:00.000Z',
          timeZone: 'Europe/Paris',
          firstDay: '2026-12-01',
          lastDay: '2026-12-14',
        },
        interventions: [
          {
            id: '100',
            start: SHEET.start,
            end: SHEET.end,
            activityType: 'Cours',
            educationalUnit: 'Maths',
            description: undefined,
            resourceLabel: 'Salle 1',
            resourceCode: undefined,
            learners: ['L1', 'L2'],
            instructors: ['I1'],
            groups: [],
          },
        ],
        // Two learners sharing Zoé's email would be one person: give each their own.
        learners: new Map([
          ['L1', learners[0] as (typeof learners)[number]],
          ['L2', { ...(learners[1] as (typeof learners)[number]), email: 'l2@school.test' }],
        ]),
        instructors: new Map([['I1', { kind: 'instructor', id: 'I1', ...ZOE }]]),
        groups: undefined,
        problems: [],
        rowsRead: { interventions: 1, groups: 0 },
      },
      mappings: [
        mapping('learner', 'L1', ZOE_V1),
        mapping('learner', 'L2', fingerprint({ ...ZOE, email: 'l2@school.test' })),
        mapping('instructor', 'I1', ZOE_V1),
        mapping('sheet', '100', SHEET_V1),
      ],
      edusign: {
        courses: [
          {
            id: 'E-100',
            apiId: '100',
            apiType: 'auriga-edusign',
            start: SHEET.start,
            locked: false,
          },
        ],
        students: undefined,
        professors: undefined,
        groups: undefined,
      },
      options: {
        courseNameSeparator: ' § ',
        syncGroups: false,
        maxDeleteShare: 0.1,
        maxDeleteCount: 5,
      },
      now: at,
    });
    assert.deepEqual(result.operations, []);
    assert.deepEqual(result.unchanged, { sheet: 1, learner: 2, instructor: 1, group: 0 });
  });
});
