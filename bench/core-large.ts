/**
 * The sync's pure core on a very large school, in memory, no server: 100,000
 * interventions in the window, 20,000 learners, 1,500 instructors and 600
 * groups, generated as Auriga rows and fed to the reader's parsers a page at
 * a time (as the reader does), then planned twice: the initial plan (an
 * empty store, an empty Edusign) and the no-op plan (the store as the initial
 * sync leaves it, Edusign listing every sheet).
 *
 * Each round is a run's core from the start: the rows parsed afresh into a
 * new snapshot (nothing of an earlier round's values is reused, as in a new
 * run), its initial plan, then its no-op plan against the store and the
 * listing, whose texts are new strings as a database driver and a JSON parser
 * give them. The listing is v1's: pages of wire courses with their learners,
 * parsed from JSON and read by the v1 port, and the no-op plan compares each
 * with Auriga's (a sheet changed by hand is set back). The run's join of the
 * listing to the store, and the no-op plan over courses listed without their
 * content (without that comparison), are timed apart. A first round, untimed, measures the peak live heap above the
 * baseline (a full collection at each page and step); then `--rounds` timed
 * rounds. Prints each step's median and every round's time, and ends with
 * one line holding a JSON object (medians, and the rounds in `runs`).
 *
 *   node --expose-gc bench/core-large.ts [--interventions 100000] [--learners 20000]
 *        [--instructors 1500] [--groups 600] [--page-size 500] [--rounds 3]
 *
 * Targets: parse and each plan under 2 s, the peak heap under 300 MB above
 * the baseline, the no-op plan no slower than the initial one.
 * A benchmark that prints figures, not a test.
 */
import { parseArgs } from 'node:util';
import { GROUP_COLUMNS, INTERVENTION_COLUMNS, matchColumns } from '../src/auriga/parse/columns.ts';
import { createGroupParser, createInterventionParser } from '../src/auriga/parse/rows.ts';
import { computeWindow } from '../src/auriga/parse/window.ts';
import { hash53 } from '../src/domain/hash.ts';
import type { AurigaSnapshot, Mapping } from '../src/domain/types.ts';
import type { EdusignCourse } from '../src/edusign/types.ts';
import { courseView } from '../src/edusign/v1/views.ts';
import { API_TYPE } from '../src/rules/ownership.ts';
import type { SheetPayload } from '../src/rules/payloads.ts';
import { fingerprint } from '../src/sync/fingerprint.ts';
import { coursesOfMappings, type Plan, plan } from '../src/sync/plan.ts';
import type { EdusignView } from '../src/sync/ports.ts';

const { values } = parseArgs({
  options: {
    interventions: { type: 'string', default: '100000' },
    learners: { type: 'string', default: '20000' },
    instructors: { type: 'string', default: '1500' },
    groups: { type: 'string', default: '600' },
    'page-size': { type: 'string', default: '500' },
    rounds: { type: 'string', default: '3' },
  },
});
/** Each step is timed this many times; its median is the figure, every round is shown. */
const rounds = Math.max(1, Number(values.rounds));
const N = {
  interventions: Number(values.interventions),
  learners: Number(values.learners),
  instructors: Number(values.instructors),
  groups: Number(values.groups),
};
const pageSize = Number(values['page-size']);
const gc = (globalThis as { gc?: () => void }).gc;
const heapMiB = () => process.memoryUsage().heapUsed / 2 ** 20;

// ------------------------------------------------------------ The school, as Auriga rows
let seed = 1;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const pick = (n: number) => Math.floor(random() * n);
const timeZone = 'Europe/Paris';
const now = new Date('2026-12-01T05:00:00Z');
const window = computeWindow(now, timeZone, 14);
const person = (prefix: string, i: number) =>
  `${prefix}${i}/LAST${i}/First${i}/${prefix.toLowerCase()}${i}@school.test`;
const groupMembers = Array.from({ length: N.groups }, () => [] as number[]);
for (let l = 0; l < N.learners; l++) groupMembers[l % N.groups]?.push(l);
const units = Array.from(
  { length: 300 },
  (_, i) => `{"fr": "Unité ${i} - U${i}", "en": "Unit ${i}"}`,
);
const activities = [
  { en: 'Lectures', fr: 'Cours magistral' },
  { en: 'Tutorial', fr: 'Travaux dirigés' },
  { en: 'Lab', fr: 'Travaux pratiques' },
];
const HEADERS = [
  'ID',
  'Start',
  'End',
  'Educational Unit.Label',
  'Activity Type.Label',
  'Session (Description)',
  'Resource.Label',
  'Resource.Code',
  'Learner(s)',
  'Instructor(s)',
  'Group ID(s)',
];
const columns = HEADERS.map((en) => ({ label: { en } }));
const pad = (n: number) => String(n).padStart(2, '0');

/** One page of the Interventions favorite, built afresh as JSON.parse would give it. */
function interventionPage(from: number): unknown[][] {
  const lines: unknown[][] = [];
  for (let i = from; i < Math.min(from + pageSize, N.interventions); i++) {
    const day = 1 + (i % 14);
    const hour = 8 + (Math.floor(i / 14) % 10);
    const g = pick(N.groups);
    const prof = pick(N.instructors);
    const instructors =
      i % 5 === 0
        ? `${person('I', prof)}|${person('I', (prof + 1) % N.instructors)}`
        : person('I', prof);
    lines.push([
      String(200_000 + i),
      `2026-12-${pad(day)}T${pad(hour)}:00:00`,
      `2026-12-${pad(day)}T${pad(hour)}:45:00`,
      units[i % units.length],
      { ...activities[i % activities.length] },
      `Session ${i % 40}`,
      `Room ${i % 120}`,
      `R${i % 120}`,
      (groupMembers[g] ?? []).map((l) => person('L', l)).join('|'),
      instructors,
      String(9000 + g),
    ]);
  }
  return lines;
}
const groupLines = groupMembers.map((members, g) => [
  String(9000 + g),
  `{"fr": "Groupe ${g}", "en": "Group ${g}"}`,
  `G${g}`,
  members.map((l) => `L${l}`).join('|'),
]);

// ------------------------------------------------------------ Measure
gc?.();
const baseline = heapMiB();
let peak = baseline;
/**
 * The live heap (after a full collection) at each page and step boundary, in
 * a first, untimed round: what the core holds, not the garbage a collector
 * has not reached yet. The timed rounds after it run without forced collections.
 */
let measuring = true;
const sample = () => {
  if (!measuring) return;
  gc?.();
  peak = Math.max(peak, heapMiB());
};

const interventionIndex = matchColumns(columns, INTERVENTION_COLUMNS).index;
const groupIndex = matchColumns(
  ['ID', 'Label', 'Code', 'Learner(s)'].map((en) => ({ label: { en } })),
  GROUP_COLUMNS,
).index;
/** The reader's parse, page by page; the pages' making is not timed. The same rows every round. */
function parseAll() {
  seed = 1;
  let ms = 0;
  const parser = createInterventionParser(interventionIndex, { timeZone, language: 'fr', window });
  for (let from = 0; from < N.interventions; from += pageSize) {
    const page = interventionPage(from);
    const t = performance.now();
    parser.add(page);
    ms += performance.now() - t;
    sample();
  }
  const t = performance.now();
  const parsed = parser.finish();
  const groupParser = createGroupParser(groupIndex, 'fr');
  groupParser.add(groupLines);
  const groups = groupParser.finish();
  ms += performance.now() - t;
  sample();
  const snapshot: AurigaSnapshot = {
    window,
    interventions: parsed.interventions,
    learners: parsed.learners,
    instructors: parsed.instructors,
    groups: groups.groups,
    problems: [...parsed.problems, ...groups.problems],
    rowsRead: { interventions: N.interventions, groups: N.groups },
  };
  return { snapshot, ms };
}

const options = {
  courseNameSeparator: ' § ',
  syncGroups: true,
  maxDeleteShare: 0.1,
  maxDeleteCount: 5,
};
const nowIso = window.from;
const emptyView: EdusignView = { courses: [], students: [], professors: [], groups: [] };
/** A new string of the same text, as a database driver or a JSON parser gives it. */
const asRead = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

/**
 * The store as the initial sync leaves it, and Edusign listing every sheet:
 * the listing as v1 answers it, pages of 40 wire courses (with their
 * learners) parsed from JSON and read by the v1 port's `courseView`, so
 * its values are what a run holds.
 */
/** Each record's Edusign id, made once (the listing's JSON makes new strings of them anyway). */
const edusignIds = new Map<string, string>();
function syncedState(initial: Plan): { mappings: Mapping[]; view: EdusignView } {
  const mappings: Mapping[] = [];
  const wire: EdusignCourse[] = [];
  const courses: EdusignView['courses'][number][] = [];
  const listPage = () => {
    for (const course of JSON.parse(JSON.stringify(wire)) as EdusignCourse[])
      courses.push(courseView(course));
    wire.length = 0;
  };
  // Edusign's ids are 24 hexadecimal digits (MongoDB ObjectIds), as long as here.
  const edusignIdOf = (kind: string, id: string) => {
    const key = `${kind}:${id}`;
    let edusignId = edusignIds.get(key);
    if (edusignId === undefined) {
      edusignId = `${hash53(key).toString(16).padStart(14, '0')}${id.length.toString(16).padStart(10, '0')}`;
      edusignIds.set(key, edusignId);
    }
    return edusignId;
  };
  for (const op of initial.operations) {
    if (op.action !== 'create') continue;
    const edusignId = edusignIdOf(op.kind, op.aurigaId);
    const start = op.kind === 'sheet' ? (op.payload as SheetPayload).start : null;
    mappings.push({
      kind: op.kind,
      aurigaId: asRead(op.aurigaId),
      edusignId: asRead(edusignId),
      fingerprint: asRead(fingerprint(op.payload)),
      origin: 'created',
      courseStart: start === null ? null : asRead(start),
      createdAt: nowIso,
      updatedAt: nowIso,
    });
    if (op.kind !== 'sheet') continue;
    const sheet = op.payload as SheetPayload;
    const professors = Object.fromEntries(
      sheet.instructors.map((id, i) => [
        i === 0 ? 'PROFESSOR' : `PROFESSOR_${i + 1}`,
        edusignIdOf('instructor', id),
      ]),
    );
    wire.push({
      ID: edusignId,
      NAME: sheet.name,
      START: sheet.start,
      END: sheet.end,
      LOCKED: 0,
      DESCRIPTION: sheet.description,
      CLASSROOM: sheet.classroom,
      SCHOOL_GROUP: sheet.groups.map((id) => edusignIdOf('group', id)),
      ...professors,
      STUDENTS: sheet.learners.map((id) => ({
        studentId: edusignIdOf('learner', id),
        state: false,
      })),
      API_ID: op.aurigaId,
      API_TYPE,
    } as EdusignCourse);
    if (wire.length === 40) listPage();
  }
  listPage();
  edusignIds.clear();
  return {
    mappings,
    view: { courses, students: undefined, professors: undefined, groups: undefined },
  };
}

const timings = {
  parse: [] as number[],
  initial: [] as number[],
  listingJoin: [] as number[],
  noop: [] as number[],
  noopWithoutContent: [] as number[],
};
let last:
  | { snapshot: AurigaSnapshot; initialOperations: number; noop: Plan; problems: number }
  | undefined;
for (let round = 0; round <= rounds; round++) {
  last = undefined;
  gc?.();
  // Round 0 measures the memory (collections forced at each sample), the others the time.
  measuring = round === 0;
  const parsed = parseAll();
  const { snapshot } = parsed;
  let t = performance.now();
  let initial: Plan | undefined = plan({
    snapshot,
    mappings: [],
    edusign: emptyView,
    options,
    now: nowIso,
  });
  const initialMs = performance.now() - t;
  sample();
  const initialOperations = initial.operations.length;
  // Built each round: a new run reads new strings, none hashed by a previous round's lookups.
  const synced = syncedState(initial);
  initial = undefined;
  gc?.();
  // The run joins the listing to the store to find the courses it must look up one by one
  // (lookAtEdusign), and hands the join to the plan: timed apart, as the run's step before the plan.
  t = performance.now();
  const mappedCourses = coursesOfMappings(synced.mappings, synced.view.courses);
  const listingJoinMs = performance.now() - t;
  t = performance.now();
  const noop = plan({
    snapshot,
    mappings: synced.mappings,
    edusign: synced.view,
    mappedCourses,
    options,
    now: nowIso,
  });
  const noopMs = performance.now() - t;
  // The same plan given the courses without what they hold: its cost without the check
  // for sheets changed by hand on Edusign (docs/rules.md §7), shown apart.
  const bare = synced.view.courses.map(({ content: _, ...course }) => course);
  t = performance.now();
  plan({
    snapshot,
    mappings: synced.mappings,
    edusign: { ...synced.view, courses: bare },
    mappedCourses: coursesOfMappings(synced.mappings, bare),
    options,
    now: nowIso,
  });
  const withoutContentMs = performance.now() - t;
  sample();
  if (round > 0) {
    timings.parse.push(parsed.ms);
    timings.initial.push(initialMs);
    timings.listingJoin.push(listingJoinMs);
    timings.noop.push(noopMs);
    timings.noopWithoutContent.push(withoutContentMs);
  }
  last = { snapshot, initialOperations, noop, problems: snapshot.problems.length };
}
measuring = false;

const median = (ms: readonly number[]): number => {
  const sorted = [...ms].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const seconds = (ms: number): number => Number((ms / 1000).toFixed(2));
const shown = (ms: readonly number[]): string =>
  `${seconds(median(ms)).toFixed(2)} s (median of ${ms.length}: ${ms.map((m) => seconds(m).toFixed(2)).join(', ')})`;
if (!last) throw new Error('no round ran');
const { snapshot } = last;
const noopWrites = last.noop.operations.filter((o) => o.action !== 'hold').length;
console.log(
  `parsed ${snapshot.interventions.length} interventions, ${snapshot.learners.size} learners, ${snapshot.instructors.size} instructors, ${snapshot.groups?.length ?? 0} groups, ${last.problems} problems in ${shown(timings.parse)}`,
);
console.log(`initial plan: ${last.initialOperations} operations in ${shown(timings.initial)}`);
console.log(
  `the listing joined to the store (the run's step before the no-op plan): ${shown(timings.listingJoin)}`,
);
console.log(
  `no-op plan: ${last.noop.operations.length} operations (${noopWrites} writes) in ${shown(timings.noop)}`,
);
console.log(
  `no-op plan without the listed courses' content (no check for sheets changed by hand): ${shown(timings.noopWithoutContent)}`,
);
const peakAbove = peak - baseline;
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
console.log(
  `peak live heap ${peakAbove.toFixed(0)} MiB above the baseline of ${baseline.toFixed(0)} MiB (after a collection at each page and step${gc ? '' : '; run with --expose-gc to collect'}); max RSS ${maxRssMiB.toFixed(0)} MiB`,
);
console.log(
  JSON.stringify({
    bench: 'core',
    interventions: snapshot.interventions.length,
    learners: snapshot.learners.size,
    instructors: snapshot.instructors.size,
    groups: snapshot.groups?.length ?? 0,
    parseS: seconds(median(timings.parse)),
    initialPlanS: seconds(median(timings.initial)),
    listingJoinS: seconds(median(timings.listingJoin)),
    noopPlanS: seconds(median(timings.noop)),
    noopPlanWithoutContentS: seconds(median(timings.noopWithoutContent)),
    noopWrites,
    peakHeapMiB: Math.round(peakAbove),
    maxRssMiB: Math.round(maxRssMiB),
    runs: {
      parseS: timings.parse.map(seconds),
      initialPlanS: timings.initial.map(seconds),
      listingJoinS: timings.listingJoin.map(seconds),
      noopPlanS: timings.noop.map(seconds),
      noopPlanWithoutContentS: timings.noopWithoutContent.map(seconds),
    },
  }),
);
