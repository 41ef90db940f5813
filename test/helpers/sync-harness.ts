import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Temporal } from 'temporal-polyfill';
import { runSchool, type SchoolRunOptions } from '../../src/app/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import type { MultiLabel, SchoolIntervention } from '../../src/sandbox/school/index.ts';
import { type Sandboxes, type SandboxesOptions, startSandboxes } from '../../src/sandbox/start.ts';

/**
 * Both sandboxes, a school, an embedded store in a temporary folder, and a
 * `sync()` that runs the real connector against them over HTTP.
 */
export interface Harness extends Sandboxes {
  readonly configuration: Config;
  readonly dir: string;
  sync(options?: SchoolRunOptions): ReturnType<typeof runSchool>;
  /**
   * The school's interventions whose start lies in the window of `now` and
   * that the rules sync: every one but those ending before they start (a
   * malformed people entry or label leaves the rest of its row synced).
   */
  expectedInterventions(now?: Date): SchoolIntervention[];
  /** A local wall-clock time of the school as a UTC ISO instant. */
  toInstant(local: string): string;
  cleanup(): Promise<void>;
}

export async function startHarness(
  options: SandboxesOptions & { config?: Record<string, unknown> } = {},
): Promise<Harness> {
  const sandboxes = await startSandboxes({
    edusignRateLimit: { requests: 100_000, windowMs: 60_000 },
    ...options,
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'auriga-edusign-e2e-'));
  const base = sandboxes.config;
  const configuration = parseConfig(
    {
      ...base,
      school: 'e2e',
      edusign: { ...base.edusign, requestsPerMinute: 100_000 },
      store: { kind: 'sqlite', path: path.join(dir, 'store.sqlite') },
      // Each section given is merged over the sandboxes' own (auriga: { pageSize } keeps the url).
      ...Object.fromEntries(
        Object.entries(options.config ?? {}).map(([key, value]) => [
          key,
          value !== null && typeof value === 'object' && !Array.isArray(value)
            ? { ...((base as unknown as Record<string, object>)[key] ?? {}), ...value }
            : value,
        ]),
      ),
    },
    { env: {}, baseDir: dir },
  );
  const zone = sandboxes.school.timeZone;
  const toInstant = (local: string) =>
    new Date(
      Temporal.PlainDateTime.from(local).toZonedDateTime(zone, { disambiguation: 'earlier' })
        .epochMilliseconds,
    ).toISOString();
  return {
    ...sandboxes,
    configuration,
    dir,
    sync: (runOptions = {}) => runSchool(configuration, runOptions),
    toInstant,
    expectedInterventions(now = new Date()) {
      const today = Temporal.Instant.fromEpochMilliseconds(now.getTime())
        .toZonedDateTimeISO(zone)
        .toPlainDate();
      const end = today.add({ days: configuration.options.windowDays });
      return sandboxes.school.interventions.filter((i) => {
        if (i.malformed === 'end_before_start') return false;
        const day = Temporal.PlainDate.from(i.start.slice(0, 10));
        return (
          Temporal.PlainDate.compare(day, today) >= 0 && Temporal.PlainDate.compare(day, end) < 0
        );
      });
    },
    async cleanup() {
      await sandboxes.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The language rule of docs/rules.md §3, written independently of the reader. */
export function label(value: MultiLabel | null, language = 'fr'): string | undefined {
  if (!value) return undefined;
  const record = value as Record<string, string | undefined>;
  for (const key of [language, 'fr', 'en']) {
    const text = record[key]?.trim();
    if (text) return text;
  }
  return Object.values(record)
    .find((v) => v?.trim())
    ?.trim();
}

/** The naming rule of docs/rules.md §4, written independently of the connector. */
export function expectedName(i: SchoolIntervention, separator = ' § '): string {
  const activity = label(i.activityType);
  const unit = label(i.educationalUnit);
  if (activity && unit) return `${activity}${separator}${unit}`;
  if (activity || unit) return (activity ?? unit) as string;
  if (i.description.trim()) return i.description.trim();
  return i.id;
}
