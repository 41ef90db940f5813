import { type Random, seededRandom } from '../random.ts';
import { clock, dateOfDay, dayNumber, isWeekday, localDateTime } from './calendar.ts';
import {
  ACTIVITY_TYPES,
  EDUCATIONAL_UNITS,
  FIRST_NAMES,
  LAST_NAMES,
  LONE_DESCRIPTIONS,
  OPTIONS,
  PROGRAMS,
  ROOMS,
} from './names.ts';
import { formatPeople } from './people-cell.ts';
import {
  MALFORMED_KINDS,
  type MultiLabel,
  type School,
  type SchoolGroup,
  type SchoolIntervention,
  type SchoolOptions,
  type SchoolPerson,
  type SchoolSize,
} from './types.ts';

export const SCHOOL_SIZES: Readonly<Record<'small' | 'large', SchoolSize>> = Object.freeze({
  small: { interventions: 65, learners: 40, instructors: 8, groups: 6 },
  large: { interventions: 3000, learners: 6000, instructors: 400, groups: 200 },
});

/** The connector's window is 14 days from today; the generator fills it and a little around it. */
const WINDOW_DAYS = 14;
/** About 1 row in 13 lies just outside the window, so that the connector's window filter matters. */
const OUTSIDE_SHARE = 1 / 13;
/** Before today: 1 to 3 days; after the window: 15 to 20 days after today. */
const BEFORE_OFFSETS = [-3, -2, -1];
const AFTER_OFFSETS = [15, 16, 17, 18, 19, 20];
/** Rows generated outside the window: the last ones, before any sort. */
const outsideCount = (total: number): number =>
  total >= 13 ? Math.round(total * OUTSIDE_SHARE) : 0;
const DAY_START_MIN = 8 * 60;
const DAY_END_MIN = 19 * 60;
/** Above this, six-digit intervention ids run out. */
const MAX_INTERVENTIONS = 400_000;
/** A promotion (one level on one campus) holds at most about this many learners. */
const LEVEL_SIZE = 150;
/** ~3% of learners have no email in Auriga: the connector must report them, not create them. */
const MISSING_EMAIL_SHARE = 0.03;
/**
 * Emails use the reserved `.example` top-level domain (RFC 2606): a sandbox
 * school pushed by mistake to a real Edusign account never mails anyone.
 */
const LEARNER_DOMAIN = 'etu.ecole-exemple.example';
const STAFF_DOMAIN = 'ecole-exemple.example';
const VISITING_DOMAIN = 'intervenants.example';

/** Sheet naming fallbacks of docs/rules.md §4; the first in-window rows cover each once. */
const NAMING_CASES = ['both', 'activityOnly', 'unitOnly', 'descriptionOnly', 'idOnly'] as const;
type NamingCase = (typeof NAMING_CASES)[number];
const ROOM_CASES = ['both', 'codeOnly', 'none', 'labelOnly'] as const;
type RoomCase = (typeof ROOM_CASES)[number];

/** Build a school: same options, deep-equal school. */
export function generateSchool(options: SchoolOptions): School {
  const size = typeof options.size === 'string' ? SCHOOL_SIZES[options.size] : options.size;
  checkSize(size);
  const malformedShare = options.malformedShare ?? 0;
  if (!(malformedShare >= 0 && malformedShare <= 1)) {
    throw new RangeError(`malformedShare must be between 0 and 1, got ${malformedShare}`);
  }
  const today = dayNumber(options.today);
  const random = seededRandom(options.seed);
  const usedPersonIds = new Set<string>();
  const usedEmails = new Set<string>();

  const learners = makePeople(random, size.learners, 'learner', usedPersonIds, usedEmails);
  const instructors = makePeople(random, size.instructors, 'instructor', usedPersonIds, usedEmails);
  const levels = makeGroups(random, size.groups, learners, today);
  const interventions = makeInterventions(random, size.interventions, today, levels, {
    learners,
    instructors,
  });
  spoil(random, interventions, malformedShare, { learners, instructors });
  interventions.sort((a, b) =>
    a.start < b.start ? -1 : a.start > b.start ? 1 : cmpId(a.id, b.id),
  );

  return {
    timeZone: options.timeZone ?? 'Europe/Paris',
    learners,
    instructors,
    groups: levels.flatMap((level) => level.groups),
    interventions,
  };
}

function checkSize(size: SchoolSize): void {
  for (const [key, value] of Object.entries(size)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`size.${key} must be a whole number >= 0, got ${value}`);
    }
  }
  if (size.interventions > MAX_INTERVENTIONS) {
    throw new RangeError(`size.interventions must be at most ${MAX_INTERVENTIONS}`);
  }
  if (size.interventions > 0 && size.instructors === 0) {
    throw new RangeError('a school with interventions needs at least one instructor');
  }
}

const cmpId = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

function uniqueNumericId(
  random: Random,
  used: Set<string>,
  minDigits: number,
  maxDigits: number,
): string {
  for (;;) {
    const digits = random.int(minDigits, maxDigits);
    const id = String(random.int(10 ** (digits - 1), 10 ** digits - 1));
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

/** Lowercase ASCII for an email's local part: accents dropped, spaces and apostrophes removed. */
export function emailSlug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/ø/g, 'o')
    .replace(/[^a-z0-9-]/g, '');
}

function uniqueEmail(local: string, domain: string, used: Set<string>): string {
  let email = `${local}@${domain}`;
  for (let n = 2; used.has(email); n++) email = `${local}${n}@${domain}`;
  used.add(email);
  return email;
}

/** The first people of every school carry the names that break naive parsers, whatever the seed. */
const TRICKY_NAMES: Readonly<
  Record<'learner' | 'instructor', readonly (readonly [string, string])[]>
> = {
  learner: [
    ['Élodie', "D'Angelo"],
    ['Jean-Baptiste', "N'Diaye"],
    ['Maëlle', 'Lefèvre'],
  ],
  instructor: [
    ['Jérôme', 'Müller'],
    ['Anne-Sophie', 'Le Goff'],
  ],
};

function makePeople(
  random: Random,
  count: number,
  kind: 'learner' | 'instructor',
  usedIds: Set<string>,
  usedEmails: Set<string>,
): SchoolPerson[] {
  const people: SchoolPerson[] = [];
  const tricky = TRICKY_NAMES[kind];
  for (let i = 0; i < count; i++) {
    const [firstName, lastName] = tricky[i] ?? [random.pick(FIRST_NAMES), random.pick(LAST_NAMES)];
    const first = emailSlug(firstName);
    const last = emailSlug(lastName);
    let email: string;
    if (kind === 'learner') {
      email = random.chance(MISSING_EMAIL_SHARE)
        ? ''
        : uniqueEmail(`${first}.${last}`, LEARNER_DOMAIN, usedEmails);
    } else if (random.chance(0.7)) {
      email = uniqueEmail(`${first.slice(0, 1)}.${last}`, STAFF_DOMAIN, usedEmails);
    } else {
      email = uniqueEmail(`${first}.${last}`, VISITING_DOMAIN, usedEmails);
    }
    people.push({ id: uniqueNumericId(random, usedIds, 5, 8), lastName, firstName, email });
  }
  // Even a small school has one learner without email, so that the rule is exercised.
  if (kind === 'learner' && count >= 10 && !people.some((p) => p.email === '')) {
    const person = people[random.int(0, count - 1)] as SchoolPerson;
    usedEmails.delete(person.email);
    person.email = '';
  }
  return people;
}

interface Level {
  readonly groups: SchoolGroup[];
}

const CAMPUSES = [
  { code: '', fr: '', en: '' },
  { code: 'LYO', fr: ' – Lyon', en: ' – Lyon' },
  { code: 'BDX', fr: ' – Bordeaux', en: ' – Bordeaux' },
  { code: 'NTE', fr: ' – Nantes', en: ' – Nantes' },
  { code: 'LIL', fr: ' – Lille', en: ' – Lille' },
];
const SEMESTER_OFFSET: Readonly<Record<string, number>> = { ING: 4, MSC: 8 };
/** Kinds of the groups after a level's promotion group, in order. */
const GROUP_PATTERN = ['TD', 'TP', 'TD', 'TP', 'OPT'] as const;

/**
 * Groups by promotion: each level (program year, campus) has a promotion
 * group holding all its learners, then TD and TP groups splitting them, then
 * option groups holding a few.
 */
function makeGroups(
  random: Random,
  count: number,
  learners: readonly SchoolPerson[],
  today: number,
): Level[] {
  if (count === 0) return [];
  const levelCount = Math.min(count, Math.max(1, Math.ceil(learners.length / LEVEL_SIZE)));
  const flatLevels = PROGRAMS.flatMap((program) =>
    program.levels.map((level, year) => ({ program, level, year: year + 1 })),
  );
  const [year = 0, month = 0] = dateOfDay(today).split('-').map(Number);
  // A school year starts in late August or September: `2526` from August 2025 to July 2026.
  const yearStart = month >= 8 ? year : year - 1;
  const schoolYear = `${String(yearStart % 100).padStart(2, '0')}${String((yearStart + 1) % 100).padStart(2, '0')}`;
  const autumn = month >= 8 || month === 1;

  const usedIds = new Set<string>();
  const usedCodes = new Set<string>();
  const levels: Level[] = [];
  for (let l = 0; l < levelCount; l++) {
    const spec = flatLevels[l % flatLevels.length] as (typeof flatLevels)[number];
    const campus = CAMPUSES[
      Math.floor(l / flatLevels.length) % CAMPUSES.length
    ] as (typeof CAMPUSES)[number];
    const semester = (SEMESTER_OFFSET[spec.program.code] ?? 0) + spec.year * 2 - (autumn ? 1 : 0);
    const codePrefix = `${schoolYear}_${spec.program.code}${campus.code}_${spec.level}_S${semester}`;
    const namePrefix = levelCount === 1 ? '' : `${spec.level}${campus.fr} – `;
    const members = learners.filter((_, i) => i % levelCount === l).map((p) => p.id);
    const groupCount = Math.floor(count / levelCount) + (l < count % levelCount ? 1 : 0);
    const kinds = Array.from(
      { length: groupCount - 1 },
      (_, j) => GROUP_PATTERN[j % GROUP_PATTERN.length],
    );
    const tdCount = kinds.filter((k) => k === 'TD').length;
    const tpCount = kinds.filter((k) => k === 'TP').length;
    const uniqueCode = (code: string): string => {
      let out = code;
      for (let n = 2; usedCodes.has(out); n++) out = `${code}${n}`;
      usedCodes.add(out);
      return out;
    };
    const newId = (): string => uniqueNumericId(random, usedIds, 3, 8);

    const groups: SchoolGroup[] = [
      {
        id: newId(),
        label: {
          fr: `Promotion ${spec.level}${campus.fr}`,
          en: `Class ${spec.level}${campus.en}`,
        },
        code: uniqueCode(`${codePrefix}_PROMO`),
        learners: [...members],
      },
    ];
    // TP groups cut across TD groups: a random split rather than the same one.
    const tpOrder = random.shuffle(members);
    let td = 0;
    let tp = 0;
    let opt = 0;
    for (const kind of kinds) {
      if (kind === 'TD') {
        td += 1;
        const n = td;
        groups.push({
          id: newId(),
          label: { fr: `${namePrefix}Groupe TD ${n}`, en: `${namePrefix}Tutorial group ${n}` },
          code: uniqueCode(`${codePrefix}_TD${n}`),
          learners: members.filter((_, i) => i % tdCount === n - 1),
        });
      } else if (kind === 'TP') {
        tp += 1;
        const n = tp;
        groups.push({
          id: newId(),
          // Only French: the seed's example group label has no English.
          label: { fr: `${namePrefix}Groupe TP ${n}` },
          code: uniqueCode(`${codePrefix}_TP${n}`),
          learners: tpOrder.filter((_, i) => i % tpCount === n - 1),
        });
      } else {
        const option = OPTIONS[opt % OPTIONS.length] as (typeof OPTIONS)[number];
        opt += 1;
        const chosen = members.filter(() => random.chance(0.3));
        if (chosen.length === 0 && members.length > 0) chosen.push(random.pick(members));
        groups.push({
          id: newId(),
          label: { fr: `${namePrefix}${option.fr}`, en: `${namePrefix}${option.en}` },
          code: uniqueCode(`${codePrefix}_${option.code}`),
          learners: chosen,
        });
      }
    }
    levels.push({ groups });
  }
  return levels;
}

function weighted<T>(random: Random, choices: readonly (readonly [T, number])[]): T {
  let roll = random.next() * choices.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, w] of choices) {
    roll -= w;
    if (roll < 0) return value;
  }
  return (choices[choices.length - 1] as readonly [T, number])[0];
}

const labelText = (label: MultiLabel): string => label.fr ?? label.en ?? '';

interface People {
  readonly learners: readonly SchoolPerson[];
  readonly instructors: readonly SchoolPerson[];
}

function makeInterventions(
  random: Random,
  total: number,
  today: number,
  levels: readonly Level[],
  people: People,
): SchoolIntervention[] {
  const inside = total - outsideCount(total);
  const windowDays = Array.from({ length: WINDOW_DAYS }, (_, i) => today + i).filter(isWeekday);
  const beforeDays = BEFORE_OFFSETS.map((o) => today + o).filter(isWeekday);
  const afterDays = AFTER_OFFSETS.map((o) => today + o).filter(isWeekday);
  const groups = levels.flatMap((level) => level.groups);
  const levelOf = new Map<string, Level>();
  for (const level of levels) for (const g of level.groups) levelOf.set(g.id, level);
  const groupById = new Map(groups.map((g) => [g.id, g]));
  const usedIds = new Set<string>();

  const out: SchoolIntervention[] = [];
  for (let i = 0; i < total; i++) {
    const day =
      i < inside
        ? (windowDays[i % windowDays.length] as number)
        : random.pick((i - inside) % 2 === 0 ? beforeDays : afterDays);
    const durationMin = random.pick([60, 90, 120, 120, 180, 180, 210, 240]);
    const slots = (DAY_END_MIN - DAY_START_MIN - durationMin) / 15;
    let startMin = DAY_START_MIN + random.int(0, slots) * 15;
    // Most sessions start on the hour or the half hour.
    if (random.chance(0.75)) startMin -= startMin % 30;
    const endMin = startMin + durationMin;
    const date = dateOfDay(day);

    // Naming: the first in-window rows cover every fallback of the naming rule once.
    const naming: NamingCase =
      i < NAMING_CASES.length && i < inside
        ? (NAMING_CASES[i] as NamingCase)
        : weighted(random, [
            ['both', 72],
            ['activityOnly', 10],
            ['unitOnly', 10],
            ['descriptionOnly', 6],
            ['idOnly', 2],
          ]);
    const activity = random.pick(ACTIVITY_TYPES);
    const unit = random.pick(EDUCATIONAL_UNITS);
    const hasActivity = naming === 'both' || naming === 'activityOnly';
    const hasUnit = naming === 'both' || naming === 'unitOnly';
    let description = '';
    if (naming === 'descriptionOnly') {
      description = random.pick(LONE_DESCRIPTIONS);
    } else if (naming !== 'idOnly' && random.chance(0.8)) {
      const [dd, mm] = [date.slice(8, 10), date.slice(5, 7)];
      description = random.chance(0.8)
        ? `Séance du ${dd}/${mm} de ${clock(startMin)} à ${clock(endMin)} : ${activity.short} ${labelText(unit)}`
        : `Session from ${clock(startMin)} to ${clock(endMin)}: ${unit.en ?? labelText(unit)}`;
    }

    const roomCase: RoomCase =
      i < 3 && i < inside
        ? (ROOM_CASES[i] as RoomCase)
        : weighted(random, [
            ['both', 75],
            ['codeOnly', 10],
            ['none', 10],
            ['labelOnly', 5],
          ]);
    const room = random.pick(ROOMS);

    // Groups: one chosen in turn (so every group is used), sometimes a second of the same promotion.
    const groupIds: string[] = [];
    let learnerIds: string[] = [];
    if (groups.length > 0) {
      const first = groups[i % groups.length] as SchoolGroup;
      groupIds.push(first.id);
      const siblings = (levelOf.get(first.id)?.groups ?? []).filter((g) => g.id !== first.id);
      if (siblings.length > 0 && random.chance(0.3)) groupIds.push(random.pick(siblings).id);
      learnerIds = [...first.learners];
      if (groupIds.length > 1) {
        const seen = new Set(learnerIds);
        for (const learner of groupById.get(groupIds[1] as string)?.learners ?? []) {
          if (!seen.has(learner)) {
            seen.add(learner);
            learnerIds.push(learner);
          }
        }
      }
    } else if (people.learners.length > 0) {
      learnerIds = random
        .shuffle(people.learners)
        .slice(0, random.int(1, Math.min(30, people.learners.length)))
        .map((p) => p.id);
    }

    const instructorCount = Math.min(
      people.instructors.length,
      weighted(random, [
        [1, 75],
        [2, 20],
        [3, 5],
      ]),
    );
    const instructorIds = [(people.instructors[i % people.instructors.length] as SchoolPerson).id];
    while (instructorIds.length < instructorCount) {
      const id = random.pick(people.instructors).id;
      if (!instructorIds.includes(id)) instructorIds.push(id);
    }

    out.push({
      id: uniqueNumericId(random, usedIds, 6, 6),
      start: `${date}T${clock(startMin)}:00`,
      end: `${date}T${clock(endMin)}:00`,
      activityType: hasActivity ? activity.label : null,
      educationalUnit: hasUnit ? unit : null,
      description,
      resourceLabel: roomCase === 'both' || roomCase === 'labelOnly' ? room.label : '',
      resourceCode: roomCase === 'both' || roomCase === 'codeOnly' ? room.code : '',
      learners: learnerIds,
      instructors: instructorIds,
      groups: groupIds,
    });
  }
  return out;
}

/**
 * Make a share of the rows malformed, cycling through MALFORMED_KINDS. Rows in
 * the window come first (a malformed row outside it proves little), and the
 * rows that cover the naming fallbacks are spared while others remain.
 */
function spoil(
  random: Random,
  interventions: SchoolIntervention[],
  share: number,
  people: People,
): void {
  const count = Math.round(share * interventions.length);
  if (count === 0) return;
  const byId = new Map<string, SchoolPerson>();
  for (const p of [...people.learners, ...people.instructors]) byId.set(p.id, p);
  const lookup = (ids: readonly string[]): SchoolPerson[] =>
    ids.flatMap((id) => {
      const p = byId.get(id);
      return p ? [p] : [];
    });

  const spared = NAMING_CASES.length;
  const insideCount = interventions.length - outsideCount(interventions.length);
  const indices = (from: number, to: number): number[] =>
    Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
  const order = [
    ...random.shuffle(indices(Math.min(spared, insideCount), insideCount)),
    ...random.shuffle(indices(0, Math.min(spared, insideCount))),
    ...random.shuffle(indices(insideCount, interventions.length)),
  ];

  const seen: Record<string, number> = {};
  for (let k = 0; k < count; k++) {
    const iv = interventions[order[k] as number] as SchoolIntervention;
    const kind = MALFORMED_KINDS[k % MALFORMED_KINDS.length] as (typeof MALFORMED_KINDS)[number];
    const nth = seen[kind] ?? 0;
    seen[kind] = nth + 1;
    iv.malformed = kind;
    switch (kind) {
      case 'missing_email': {
        const learners = lookup(iv.learners);
        const target = learners.find((p) => p.email !== '');
        if (target) {
          iv.raw = {
            'Learner(s)': formatPeople(
              learners.map((p) => (p === target ? { ...p, email: '' } : p)),
            ),
          };
        } else {
          const instructors = lookup(iv.instructors);
          iv.raw = {
            'Instructor(s)': formatPeople(
              instructors.map((p, j) => (j === 0 ? { ...p, email: '' } : p)),
            ),
          };
        }
        break;
      }
      case 'broken_person': {
        const column = nth % 2 === 0 ? 'Learner(s)' : 'Instructor(s)';
        const listed = lookup(column === 'Learner(s)' ? iv.learners : iv.instructors);
        const broken = nth % 2 === 0 ? `${random.int(100, 999)}/DOE` : 'garbage';
        iv.raw = { [column]: [...listed.map((p) => formatPeople([p])), broken].join('|') };
        break;
      }
      case 'end_before_start': {
        const start = iv.start;
        const day = dayNumber(start.slice(0, 10));
        const minutes = Number(start.slice(11, 13)) * 60 + Number(start.slice(14, 16));
        iv.raw = { End: localDateTime(day, minutes - 60) };
        break;
      }
      case 'bad_label_json': {
        const [column, label] = iv.educationalUnit
          ? ['Educational Unit.Label', iv.educationalUnit]
          : iv.activityType
            ? ['Activity Type.Label', iv.activityType]
            : ['Educational Unit.Label', { fr: 'Broken label' }];
        iv.raw = { [column]: `{"fr": "${labelText(label).slice(0, 8)}` };
        break;
      }
    }
  }
}
