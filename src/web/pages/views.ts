import type { Config } from '../../config/schema.ts';
import type { DoctorStep } from '../../doctor/steps.ts';
import type { Explanation } from '../../explain/explain.ts';
import type { TestResult } from '../../notify/notifier.ts';
import type { AuditEntry, RunRecord } from '../../store/port.ts';
import type { RunReport } from '../../sync/report.ts';
import type { HeldDeletion, HeldView, RunSummary, SchoolSummary } from '../console.ts';
import { failureSentence, type Key, problemSentence, stepTitle } from '../i18n.ts';
import type { LiveRun } from '../live.ts';
import { type Html, html } from './html.ts';
import { csrfField, layout, type PageContext } from './layout.ts';

const when = (ctx: PageContext, at: string | null | undefined) =>
  at
    ? new Date(at).toLocaleString(ctx.lang === 'fr' ? 'fr-FR' : 'en-GB', {
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZoneName: 'short',
        timeZone: ctx.timeZone ?? 'Europe/Paris',
      })
    : ctx.t('never');
const stateWord = (ctx: PageContext, state: string) => ctx.t(`state.${state}` as Key) ?? state;
const badge = (ctx: PageContext, state: string) =>
  html`<span class="badge state-${state}">${stateWord(ctx, state)}</span>`;
/** A problem: its Auriga id, the sentence in the page's language, the report's own beside it. */
const problemItem = (ctx: PageContext, p: RunReport['problems'][number]) => {
  const translated = problemSentence(ctx.lang, p);
  return html`<li><span class="auriga-id">${p.aurigaId}</span> ${p.row ? html`<span class="row">[${p.row.favorite} ${p.row.id}]</span> ` : null}${
    translated === null
      ? p.message
      : html`${translated} <details><summary>${ctx.t('problem.original')}</summary>${p.message}</details>`
  }</li>`;
};
/** Why a run failed and what to change: in the page's language, the report's own words beside it. */
const failureText = (
  ctx: PageContext,
  error: { code: string; message: string; hint?: string | undefined },
) => {
  const translated = failureSentence(ctx.lang, error.code);
  const english = html`[${error.code}] ${error.message}${error.hint ? html`<br>${ctx.t('check.fix')}: ${error.hint}` : null}`;
  return translated === null
    ? html`<p>${english}</p>`
    : html`<p>${translated.message}</p>${translated.fix ? html`<p>${ctx.t('check.fix')} : ${translated.fix}</p>` : null}<details><summary>${ctx.t('problem.original')}</summary><p>${english}</p></details>`;
};
const seconds = (ms: number | null) => (ms === null ? '' : `${(ms / 1000).toFixed(1)} s`);

export const FLEET_STATES = [
  'healthy',
  'partly_failed',
  'failed',
  'deletions_held',
  'disabled',
  'never_run',
] as const;

export function signInPage(
  ctx: PageContext,
  options: { error?: string; email?: string; next?: string },
) {
  const { t } = ctx;
  return layout(
    ctx,
    t('signIn.title'),
    html`${options.error ? html`<p class="error" role="alert">${options.error}</p>` : null}
<form method="post" action="/sign-in" class="stack">
  ${csrfField(ctx)}
  <input type="hidden" name="next" value="${options.next ?? '/schools'}">
  <label>${t('signIn.email')} <input type="email" name="email" autocomplete="username" required value="${options.email ?? ''}"></label>
  <label>${t('signIn.password')} <input type="password" name="password" autocomplete="current-password" required></label>
  <button type="submit">${t('signIn.submit')}</button>
</form>`,
  );
}

export function welcomePage(
  ctx: PageContext,
  options: { token: string; error?: string; min: number; valid: boolean },
) {
  const { t } = ctx;
  if (!options.valid)
    return layout(
      ctx,
      t('welcome.title'),
      html`<p class="error" role="alert">${t('welcome.expired')}</p>`,
    );
  return layout(
    ctx,
    t('welcome.title'),
    html`<p>${t('welcome.intro', { min: options.min })}</p>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : null}
<form method="post" action="/welcome" class="stack">
  ${csrfField(ctx)}
  <input type="hidden" name="token" value="${options.token}">
  <label>${t('welcome.password')} <input type="password" name="password" autocomplete="new-password" minlength="${options.min}" required></label>
  <label>${t('welcome.confirm')} <input type="password" name="confirm" autocomplete="new-password" minlength="${options.min}" required></label>
  <button type="submit">${t('welcome.submit')}</button>
</form>`,
  );
}

export function fleetPage(
  ctx: PageContext,
  schools: readonly SchoolSummary[],
  filter: { state?: string; q?: string },
) {
  const { t } = ctx;
  const counts = FLEET_STATES.map((state) => ({
    state,
    n: schools.filter((s) => s.state === state).length,
  }));
  const shown = schools.filter(
    (s) =>
      (!filter.state || s.state === filter.state) &&
      (!filter.q || s.name.toLowerCase().includes(filter.q.toLowerCase())),
  );
  return layout(
    ctx,
    t('fleet.title'),
    html`<ul class="counts" aria-label="${t('fleet.counts')}">
  ${counts.map(({ state, n }) => html`<li><a href="/schools?state=${state}">${badge(ctx, state)} <strong>${n}</strong></a></li>`)}
</ul>
<form method="get" action="/schools" class="filters" role="search">
  <label>${t('fleet.state')}
    <select name="state">
      <option value="">${t('fleet.all')}</option>
      ${FLEET_STATES.map((s) => html`<option value="${s}" ${filter.state === s ? html`selected` : null}>${stateWord(ctx, s)}</option>`)}
    </select>
  </label>
  <label>${t('fleet.search')} <input type="search" name="q" value="${filter.q ?? ''}"></label>
  <button type="submit">${t('fleet.apply')}</button>
</form>
${ctx.who?.role === 'operator' ? html`<p><a href="/schools/new">${t('fleet.add')}</a></p>` : null}
${
  shown.length === 0
    ? html`<p>${t('fleet.none')}</p>`
    : html`<table>
  <thead><tr><th scope="col">${t('fleet.school')}</th><th scope="col">${t('fleet.state')}</th><th scope="col">${t('fleet.lastRun')}</th><th scope="col">${t('fleet.nextRun')}</th><th scope="col">${t('fleet.problems')}</th></tr></thead>
  <tbody>
  ${shown.map(
    (s) => html`<tr>
    <th scope="row"><a href="/schools/${encodeURIComponent(s.name)}">${s.name}</a></th>
    <td>${badge(ctx, s.state)}${s.running ? html` ${badge(ctx, 'running')}` : null}</td>
    <td>${when({ ...ctx, timeZone: s.timeZone }, s.lastRun?.finishedAt)}</td>
    <td>${s.nextRunAt ? when({ ...ctx, timeZone: s.timeZone }, s.nextRunAt) : '—'}</td>
    <td>${s.openProblems > 0 ? html`<a href="/schools/${encodeURIComponent(s.name)}#problems">${s.openProblems}</a>` : '0'}</td>
  </tr>`,
  )}
  </tbody>
</table>`
}`,
  );
}

/** A small SVG bar chart: writes (blue) and problems (orange) per run, no script, no style attribute. */
function chart(ctx: PageContext, runs: readonly RunSummary[]): Html {
  const real = [...runs]
    .filter((r) => !r.dryRun)
    .reverse()
    .slice(-20);
  if (real.length === 0) return html``;
  const max = Math.max(1, ...real.map((r) => Math.max(r.writes, r.problems)));
  const w = 16;
  const h = 80;
  const bars = real.map((r, i) => {
    const wh = Math.round((r.writes / max) * h);
    const ph = Math.round((r.problems / max) * h);
    return html`<rect x="${i * w * 2 + 2}" y="${h - wh}" width="${w - 2}" height="${wh}" class="bar-writes"><title>${r.writes} ${ctx.t('school.writes')}</title></rect><rect x="${i * w * 2 + w}" y="${h - ph}" width="${w - 2}" height="${ph}" class="bar-problems"><title>${r.problems} ${ctx.t('run.problems')}</title></rect>`;
  });
  return html`<figure><svg role="img" aria-label="${ctx.t('school.chart')}" width="${real.length * w * 2 + 4}" height="${h + 2}" viewBox="0 0 ${real.length * w * 2 + 4} ${h + 2}">${bars}</svg><figcaption>${ctx.t('school.chart')}: <span class="key-writes">■</span> ${ctx.t('school.writes')}, <span class="key-problems">■</span> ${ctx.t('school.chartProblems')}</figcaption></figure>`;
}

export function liveBlock(ctx: PageContext, school: string, running: boolean, run: LiveRun | null) {
  const { t } = ctx;
  const body =
    run === null
      ? html`<p>${t('school.noLive')}</p>`
      : html`<dl class="live">
  <dt>${t('live.phase')}</dt><dd data-live="phase">${t(`phase.${run.phase}` as Key)}</dd>
  <dt>${t('live.rows')}</dt><dd data-live="rows">${run.rowsRead}</dd>
  <dt>${t('live.progress')}</dt><dd data-live="progress">${run.done}${run.total === null ? '' : ` / ${run.total}`}${run.failed > 0 ? ` (${run.failed} ${t('live.failed')})` : ''}</dd>
  <dt>${t('live.waits')}</dt><dd data-live="waits">${run.rateLimitWaits}</dd>
  ${run.outcome ? html`<dt>${t('live.outcome')}</dt><dd data-live="outcome">${stateWord(ctx, run.outcome)}</dd>` : null}
</dl>`;
  return html`<section aria-labelledby="live-title" id="live" data-school="${school}" data-running="${running ? 'yes' : 'no'}">
<h2 id="live-title">${t('school.live')}</h2>
<div aria-live="polite" id="live-body">${body}</div>
</section>`;
}

export function schoolPage(
  ctx: PageContext,
  school: SchoolSummary & { runs: readonly RunSummary[]; live: LiveRun | null },
  problems: RunReport['problems'],
  options: {
    canAct: boolean;
    notice?: string;
    error?: RunReport['error'] | null;
    deliveries?: readonly DeliveryLine[];
  },
) {
  const { t } = ctx;
  const base = `/schools/${encodeURIComponent(school.name)}`;
  const failure = options.error;
  const byKind = new Map<string, (typeof problems)[number][]>();
  for (const p of problems) byKind.set(p.code, [...(byKind.get(p.code) ?? []), p]);
  return layout(
    ctx,
    school.name,
    html`${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : null}
${
  failure
    ? html`<div class="error" role="alert" id="failure"><p><strong>${t('school.failure')}</strong></p>${failureText(ctx, failure)}</div>`
    : null
}
${school.unusable ? html`<div class="error" role="alert" id="unusable"><p><strong>${t('school.unusable')}</strong> ${school.unusable}</p></div>` : null}
<dl class="facts">
  <dt>${t('school.state')}</dt><dd>${badge(ctx, school.state)}</dd>
  <dt>${t('school.nextRun')}</dt><dd>${school.nextRunAt ? when(ctx, school.nextRunAt) : '—'}</dd>
</dl>
<nav class="actions" aria-label="${school.name}">
  <a href="${base}/explain">${t('school.explain')}</a>
  <a href="${base}/settings">${t('school.settings')}</a>
  ${school.heldDeletions > 0 ? html`<a href="${base}/held">${t('school.held')} (${school.heldDeletions})</a>` : null}
</nav>
${school.heldDeletions > 0 ? html`<p class="warning"><a href="${base}/held">${t('school.heldCount', { n: school.heldDeletions })}</a></p>` : null}
${
  options.canAct
    ? html`<div class="buttons">
  <form method="post" action="${base}/run" class="inline">${csrfField(ctx)}<button type="submit">${t('school.runNow')}</button></form>
  <form method="post" action="${base}/preview" class="inline">${csrfField(ctx)}<button type="submit">${t('school.preview')}</button></form>
</div>`
    : null
}
${liveBlock(ctx, school.name, school.running, school.live)}
<section id="problems" aria-labelledby="problems-title">
<h2 id="problems-title">${t('school.problems')} (${problems.length})</h2>
${
  problems.length === 0
    ? html`<p>${t('school.noProblems')}</p>`
    : [...byKind.entries()].map(
        ([code, list]) => html`<h3>${code} (${list.length})</h3>
<ul class="problems">${list.map((p) => problemItem(ctx, p))}</ul>`,
      )
}
</section>
<section aria-labelledby="runs-title">
<h2 id="runs-title">${t('school.runs')}</h2>
${chart(ctx, school.runs)}
${runsTable(ctx, base, school.runs)}
</section>
${deliveriesBlock(ctx, options.deliveries ?? [])}`,
  );
}

/** A notice's delivery on one channel, as the school page lists them. */
export interface DeliveryLine {
  readonly event: string;
  readonly channel: string;
  readonly target: string;
  readonly status: string;
  readonly attempts: number;
  readonly createdAt: string;
  readonly nextAttemptAt: string | null;
  readonly lastError: string | null;
}

function deliveriesBlock(ctx: PageContext, deliveries: readonly DeliveryLine[]) {
  const { t } = ctx;
  return html`<section aria-labelledby="notices-title">
<h2 id="notices-title">${t('school.notices')}</h2>
${
  deliveries.length === 0
    ? html`<p>${t('school.noNotices')}</p>`
    : html`<table>
<thead><tr><th scope="col">${t('notice.when')}</th><th scope="col">${t('notice.event')}</th><th scope="col">${t('notice.to')}</th><th scope="col">${t('notice.status')}</th><th scope="col">${t('notice.attempts')}</th></tr></thead>
<tbody>${deliveries.map(
        (d) =>
          html`<tr><td>${when(ctx, d.createdAt)}</td><td>${d.event}</td><td>${d.channel}: ${d.target}</td><td>${d.status}${d.status === 'pending' && d.nextAttemptAt ? html` (${t('notice.next')} ${when(ctx, d.nextAttemptAt)})` : null}${d.lastError ? html`<br><span class="muted">${d.lastError}</span>` : null}</td><td>${d.attempts}</td></tr>`,
      )}</tbody></table>`
}
</section>`;
}

function runsTable(ctx: PageContext, base: string, runs: readonly RunSummary[]) {
  const { t } = ctx;
  return html`<table>
<thead><tr><th scope="col">${t('run.started')}</th><th scope="col">${t('run.outcome')}</th><th scope="col">${t('run.writes')}</th><th scope="col">${t('run.problems')}</th><th scope="col">${t('run.calls')}</th><th scope="col">${t('run.duration')}</th></tr></thead>
<tbody>${runs.map(
    (r) =>
      html`<tr><td><a href="${base}/runs/${r.id}">${when(ctx, r.startedAt)}</a></td><td>${badge(ctx, r.outcome)}${r.dryRun ? html` <span class="badge">${t('run.dry')}</span>` : null}</td><td>${r.writes}</td><td>${r.problems}</td><td>${r.edusignCalls}</td><td>${seconds(r.durationMs)}</td></tr>`,
  )}</tbody></table>`;
}

function reportBody(ctx: PageContext, report: RunReport): Html {
  const { t } = ctx;
  const kinds = ['sheet', 'learner', 'instructor', 'group'] as const;
  const cols = ['created', 'updated', 'adopted', 'deleted', 'unchanged', 'held', 'failed'] as const;
  return html`<h2>${t('run.counts')}</h2>
<table><thead><tr><th scope="col"></th>${cols.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${kinds.map((k) => html`<tr><th scope="row">${k}</th>${cols.map((c) => html`<td>${report.counts[k][c]}</td>`)}</tr>`)}</tbody></table>
${report.error ? html`<div class="error" role="alert">${failureText(ctx, report.error)}</div>` : null}
${report.guard?.triggered && report.guard.reason ? html`<p class="warning">${report.guard.reason}</p>` : null}
${report.failures.length > 0 ? html`<h2>${t('run.failures')} (${report.failures.length})</h2><ul>${report.failures.slice(0, 200).map((f) => html`<li>${f.message}</li>`)}</ul>` : null}
${report.held.length > 0 ? html`<h2>${t('run.heldItems')} (${report.held.length})</h2><ul>${report.held.slice(0, 200).map((f) => html`<li><span class="auriga-id">${f.aurigaId}</span> ${f.message}</li>`)}</ul>` : null}
${report.problems.length > 0 ? html`<h2>${t('run.problems')} (${report.problems.length})</h2><ul class="problems">${report.problems.slice(0, 200).map((p) => problemItem(ctx, p))}</ul>` : null}
${report.planned && report.planned.length > 0 ? html`<h2>${t('run.planned')} (${report.planned.length})</h2><table><tbody>${report.planned.slice(0, 300).map((op) => html`<tr><td>${op.action}</td><td>${op.kind}</td><td>${op.aurigaId}</td><td>${op.reason}</td></tr>`)}</tbody></table>` : null}`;
}

export function runPage(ctx: PageContext, school: string, run: RunRecord) {
  const report = run.report as RunReport | null;
  const base = `/api/schools/${encodeURIComponent(school)}/runs/${run.id}`;
  return layout(
    ctx,
    ctx.t('run.title', { id: run.id.slice(0, 8) }),
    html`<p><a href="/schools/${encodeURIComponent(school)}">${school}</a> · ${badge(ctx, run.outcome)} · ${when(ctx, run.startedAt)}</p>
<p><a href="${base}/outcomes.csv" download>${ctx.t('run.csv')}</a></p>
${report ? reportBody(ctx, report) : null}`,
  );
}

export function previewPage(ctx: PageContext, school: string, report: RunReport) {
  return layout(
    ctx,
    ctx.t('preview.title'),
    html`<p><a href="/schools/${encodeURIComponent(school)}">${school}</a> · <a href="/schools/${encodeURIComponent(school)}/settings">${ctx.t('school.settings')}</a></p>${reportBody(ctx, report)}`,
  );
}

function heldTable(ctx: PageContext, items: readonly HeldDeletion[]) {
  const { t } = ctx;
  return html`<table><thead><tr><th scope="col">${t('held.name')}</th><th scope="col">${t('held.date')}</th><th scope="col">${t('held.id')}</th><th scope="col">${t('held.why')}</th></tr></thead>
<tbody>${items.map((i) => html`<tr><td>${i.name ?? '—'}</td><td>${when(ctx, i.start)}</td><td class="auriga-id">${i.aurigaId}</td><td>${ctx.t('held.whyRemoved', { id: i.aurigaId })}</td></tr>`)}</tbody></table>`;
}

export function heldPage(
  ctx: PageContext,
  school: string,
  held: Pick<HeldView, 'items' | 'kept'> & Partial<Pick<HeldView, 'reason' | 'guard'>>,
  options: { canAct: boolean; notice?: Html | string; status?: 'changed' },
) {
  const { t } = ctx;
  const base = `/schools/${encodeURIComponent(school)}/held`;
  const ids = held.items.map(
    (i) => html`<input type="hidden" name="aurigaIds" value="${i.aurigaId}">`,
  );
  return layout(
    ctx,
    t('held.title'),
    html`<p><a href="/schools/${encodeURIComponent(school)}">${school}</a></p>
${options.notice ? html`<p class="${options.status === 'changed' ? 'warning' : 'notice'}" role="status">${options.notice}</p>` : null}
${
  held.items.length === 0
    ? html`<p>${t('held.none')}</p>`
    : html`<p>${t('held.intro')}</p>
${held.guard ? html`<p class="warning">${t('held.guard', held.guard)}</p>` : held.reason ? html`<p class="warning">${held.reason}</p>` : null}
${held.kept ? html`<p class="notice">${t('held.kept', { at: when(ctx, held.kept.at), by: held.kept.by })}</p>` : null}
${heldTable(ctx, held.items)}
${
  options.canAct
    ? html`<div class="buttons">
<form method="post" action="${base}/confirm" class="inline">${csrfField(ctx)}${ids}<button type="submit" class="danger">${t('held.confirm')}</button></form>
<form method="post" action="${base}/keep" class="inline">${csrfField(ctx)}${ids}<button type="submit">${t('held.keep')}</button></form>
</div>`
    : html`<p>${t('held.viewer')}</p>`
}`
}`,
  );
}

export function explainPage(
  ctx: PageContext,
  school: string,
  q: string,
  answers: ReadonlyArray<Explanation & { label?: string }> | null,
) {
  const { t } = ctx;
  return layout(
    ctx,
    t('explain.title'),
    html`<p><a href="/schools/${encodeURIComponent(school)}">${school}</a></p>
<form method="get" action="/schools/${encodeURIComponent(school)}/explain" role="search">
  <label>${t('explain.query')} <input type="search" name="q" value="${q}" required></label>
  <button type="submit">${t('explain.submit')}</button>
</form>
${
  answers === null
    ? null
    : answers.length === 0
      ? html`<p>${t('explain.none', { q })}</p>`
      : answers.map(
          (a) =>
            html`<article class="answer"><h2>${a.label ? `${a.label} · ` : ''}${t(`explain.subject.${a.subject}`)} ${a.aurigaId}</h2>${a.sentences.map((s) => html`<p>${s}</p>`)}</article>`,
        )
}`,
  );
}

/** The settings form's fields: the seed's prerequisites, then our options. */
export const SETTINGS_FIELDS: ReadonlyArray<{
  readonly name: string;
  readonly type: 'url' | 'text' | 'secret' | 'number' | 'checkbox' | 'schedule';
  readonly label: Key;
  readonly section: 'auriga' | 'edusign' | 'options';
}> = [
  { section: 'auriga', name: 'auriga.url', type: 'url', label: 'field.auriga.url' },
  { section: 'auriga', name: 'auriga.keycloakUrl', type: 'url', label: 'field.auriga.keycloakUrl' },
  { section: 'auriga', name: 'auriga.realm', type: 'text', label: 'field.auriga.realm' },
  { section: 'auriga', name: 'auriga.clientId', type: 'text', label: 'field.auriga.clientId' },
  {
    section: 'auriga',
    name: 'auriga.clientSecret',
    type: 'secret',
    label: 'field.auriga.clientSecret',
  },
  { section: 'auriga', name: 'auriga.username', type: 'text', label: 'field.auriga.username' },
  { section: 'auriga', name: 'auriga.password', type: 'secret', label: 'field.auriga.password' },
  {
    section: 'auriga',
    name: 'auriga.interventionsQueryId',
    type: 'text',
    label: 'field.auriga.interventionsQueryId',
  },
  {
    section: 'auriga',
    name: 'auriga.groupsQueryId',
    type: 'text',
    label: 'field.auriga.groupsQueryId',
  },
  { section: 'edusign', name: 'edusign.token', type: 'secret', label: 'field.edusign.token' },
  { section: 'edusign', name: 'edusign.baseUrl', type: 'url', label: 'field.edusign.baseUrl' },
  {
    section: 'edusign',
    name: 'edusign.requestsPerMinute',
    type: 'number',
    label: 'field.edusign.requestsPerMinute',
  },
  { section: 'options', name: 'options.timeZone', type: 'text', label: 'field.options.timeZone' },
  {
    section: 'options',
    name: 'options.syncGroups',
    type: 'checkbox',
    label: 'field.options.syncGroups',
  },
  {
    section: 'options',
    name: 'options.windowDays',
    type: 'number',
    label: 'field.options.windowDays',
  },
  {
    section: 'options',
    name: 'options.schedule',
    type: 'schedule',
    label: 'field.options.schedule',
  },
  {
    section: 'options',
    name: 'options.maxDeleteShare',
    type: 'number',
    label: 'field.options.maxDeleteShare',
  },
  {
    section: 'options',
    name: 'options.maxDeleteCount',
    type: 'number',
    label: 'field.options.maxDeleteCount',
  },
];

/** The form's fields back into settings sections (empty text: not given). */
export function settingsFromForm(form: Record<string, unknown>): Record<string, unknown> {
  return { ...sectionsFromForm(form), notifications: notificationsFromForm(form) };
}

function sectionsFromForm(form: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = { auriga: {}, edusign: {}, options: {} };
  for (const field of SETTINGS_FIELDS) {
    const raw = form[field.name];
    const text = typeof raw === 'string' ? raw.trim() : '';
    const key = field.name.split('.')[1] as string;
    const section = out[field.section] as Record<string, unknown>;
    if (field.type === 'checkbox') section[key] = raw === 'on' || raw === 'true';
    else if (text === '') section[key] = '';
    else if (field.type === 'number') section[key] = Number(text);
    else if (field.type === 'schedule')
      section[key] = text.split(',').map((w) => {
        const [from = '', to = ''] = w.trim().split('-');
        return { from: from.trim(), to: to.trim() };
      });
    else section[key] = text;
  }
  return out;
}

/** The notification fields of the form, by the configuration key each sets. */
const N = {
  consoleUrl: 'notifications.consoleUrl',
  host: 'notifications.email.smtp.host',
  port: 'notifications.email.smtp.port',
  starttls: 'notifications.email.smtp.starttls',
  user: 'notifications.email.smtp.user',
  password: 'notifications.email.smtp.password',
  from: 'notifications.email.from',
  to: 'notifications.email.to',
} as const;
const hookField = (i: number, part: 'url' | 'secret' | 'remove') =>
  `notifications.webhooks.${i}.${part}`;

const textOf = (form: Record<string, unknown>, name: string): string => {
  const raw = form[name];
  return typeof raw === 'string' ? raw.trim() : '';
};

/** The webhook rows a form posted, in order: `notifications.webhooks.N.url`… */
function postedHooks(form: Record<string, unknown>) {
  const indexes = Object.keys(form)
    .map((key) => /^notifications\.webhooks\.(\d+)\.url$/.exec(key)?.[1])
    .filter((i): i is string => i !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return indexes.map((i) => ({
    url: textOf(form, hookField(i, 'url')),
    // A secret is taken as typed: spaces may be part of it.
    secret:
      typeof form[hookField(i, 'secret')] === 'string' ? String(form[hookField(i, 'secret')]) : '',
    remove: form[hookField(i, 'remove')] === 'on',
  }));
}

/**
 * The notification fields as a settings change (see mergeNotifications): the
 * email part only when one of its fields is filled, each webhook row kept
 * unless ticked for removal or left blank. With no channel left, null: the
 * school sends no notification.
 */
function notificationsFromForm(form: Record<string, unknown>): Record<string, unknown> | null {
  const given = (name: string) => textOf(form, name);
  const hooks = postedHooks(form)
    .filter((h) => !h.remove && (h.url !== '' || h.secret !== ''))
    .map((h) => ({ url: h.url, secret: h.secret }));
  const password = typeof form[N.password] === 'string' ? String(form[N.password]) : '';
  const filled = [N.host, N.port, N.user, N.from, N.to].some((name) => given(name) !== '');
  const port = given(N.port);
  const email =
    filled || password !== ''
      ? {
          smtp: {
            host: given(N.host),
            // A whole number as a number; anything else as typed, for the schema to name.
            port: /^\d+$/.test(port) ? Number(port) : port,
            starttls: form[N.starttls] === 'on' || form[N.starttls] === 'true',
            user: given(N.user),
            password,
          },
          from: given(N.from),
          to: given(N.to)
            .split(/[,;\s]+/)
            .filter((address) => address !== ''),
        }
      : null;
  if (email === null && hooks.length === 0) return null;
  return { consoleUrl: given(N.consoleUrl), email, webhooks: hooks };
}

/** What the form shows of the saved notifications (resolved and masked: no secret). */
interface ShownNotifications {
  readonly consoleUrl?: string;
  readonly email?: {
    readonly smtp: {
      readonly host: string;
      readonly port: number;
      readonly starttls: boolean;
      readonly auth: { readonly user: string } | null;
    };
    readonly from: string;
    readonly to: readonly string[];
  } | null;
  readonly webhooks?: readonly { readonly url: string }[];
}

function fieldValue(config: Config | null, name: string): string {
  if (!config) return '';
  const [section, key] = name.split('.') as [string, string];
  const value = (config as unknown as Record<string, Record<string, unknown>>)[section]?.[key];
  if (name === 'options.schedule' && Array.isArray(value))
    return (value as Array<{ from: string; to: string }>)
      .map((w) => `${w.from}-${w.to}`)
      .join(', ');
  return value === undefined || value === null ? '' : String(value);
}

export function settingsPage(
  ctx: PageContext,
  input: {
    school: string | null;
    config: Config | null;
    readOnly: boolean;
    active: boolean;
    canAct: boolean;
    error?: string;
    notice?: string;
    steps?: readonly DoctorStep[];
    form?: Record<string, unknown>;
    /** What the test notice just answered, per channel. */
    tested?: readonly TestResult[];
  },
) {
  const { t } = ctx;
  const isNew = input.school === null;
  const action = isNew
    ? '/schools/new'
    : `/schools/${encodeURIComponent(input.school ?? '')}/settings`;
  const disabled = input.readOnly || !input.canAct;
  const field = (f: (typeof SETTINGS_FIELDS)[number]) => {
    const id = `f-${f.name.replace('.', '-')}`;
    const given = input.form?.[f.name];
    if (f.type === 'secret') {
      // A stored secret is never sent back, not even masked: the field is empty, its placeholder says whether one is set.
      return html`<label for="${id}">${ctx.t(f.label)}</label><input id="${id}" type="password" name="${f.name}" autocomplete="off" ${input.config ? html`placeholder="${t('settings.secretSet')}"` : html`required`} ${disabled ? html`disabled` : null}>`;
    }
    if (f.type === 'checkbox') {
      const checked =
        given !== undefined ? given === 'on' : fieldValue(input.config, f.name) === 'true';
      return html`<label for="${id}">${ctx.t(f.label)}</label><input id="${id}" type="checkbox" name="${f.name}" ${checked ? html`checked` : null} ${disabled ? html`disabled` : null}>`;
    }
    const value = typeof given === 'string' ? given : fieldValue(input.config, f.name);
    return html`<label for="${id}">${ctx.t(f.label)}</label><input id="${id}" type="${f.type === 'number' ? 'text' : f.type === 'url' ? 'url' : 'text'}" ${f.type === 'number' ? html`inputmode="decimal"` : null} name="${f.name}" value="${value}" ${disabled ? html`disabled` : null}>`;
  };
  const group = (section: 'auriga' | 'edusign' | 'options', legend: string) =>
    html`<fieldset><legend>${legend}</legend><div class="grid">${SETTINGS_FIELDS.filter((f) => f.section === section).map(field)}</div></fieldset>`;
  const base = isNew ? '' : `/schools/${encodeURIComponent(input.school ?? '')}`;
  const saved = (input.config as { notifications?: ShownNotifications } | null)?.notifications;
  return layout(
    ctx,
    isNew ? t('settings.new') : t('settings.title', { school: input.school ?? '' }),
    html`${isNew ? null : html`<p><a href="${base}">${input.school}</a></p>`}
${input.readOnly ? html`<p class="notice">${t('settings.readOnly')}</p>` : null}
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : null}
${input.error ? html`<div class="error" role="alert"><p>${t('settings.invalid')}</p><pre>${input.error}</pre></div>` : null}
${!isNew && !input.readOnly ? html`<p>${input.active ? t('settings.active') : t('settings.inactive')}</p>` : null}
<form method="post" action="${action}" class="settings">
  ${csrfField(ctx)}
  ${isNew ? html`<label for="f-name">${t('settings.name')}</label><input id="f-name" name="name" required pattern="[A-Za-z0-9][A-Za-z0-9._-]*" value="${typeof input.form?.name === 'string' ? input.form.name : ''}">` : null}
  ${group('auriga', t('settings.auriga'))}
  ${group('edusign', t('settings.edusign'))}
  ${group('options', t('settings.options'))}
  ${notificationsGroup(ctx, saved, input.form, disabled)}
  ${disabled ? null : html`<button type="submit">${t('settings.save')}</button>`}
</form>
${
  !isNew && input.canAct
    ? html`<div class="buttons">
  <form method="post" action="${base}/check" class="inline">${csrfField(ctx)}<button type="submit">${t('settings.check')}</button></form>
  <form method="post" action="${base}/preview" class="inline">${csrfField(ctx)}<button type="submit">${t('school.preview')}</button></form>
  ${input.readOnly || input.active ? null : html`<form method="post" action="${base}/activate" class="inline">${csrfField(ctx)}<button type="submit">${t('settings.activate')}</button></form>`}
  ${saved ? html`<form method="post" action="${base}/notifications/test" class="inline">${csrfField(ctx)}<button type="submit">${t('settings.testNotice')}</button></form>` : null}
</div>`
    : null
}
${input.steps ? checkList(ctx, input.steps) : null}
${input.tested ? testedList(ctx, input.tested) : null}`,
  );
}

/** What a step found and, failed, what to change: in French by its code where known, the doctor's English beside it. */
function stepText(ctx: PageContext, s: DoctorStep) {
  const { t } = ctx;
  const english = html`${s.detail}${s.fix ? html`<br><span class="fix">${t('check.fix')}: ${s.fix}</span>` : null}`;
  const translated = s.status === 'failed' && s.code ? failureSentence(ctx.lang, s.code) : null;
  if (translated === null) return english;
  return html`${translated.message}${translated.fix ? html`<br><span class="fix">${t('check.fix')} : ${translated.fix}</span>` : null}<details><summary>${t('problem.original')}</summary>${english}</details>`;
}

/**
 * The school's notifications on the settings form: the console's address,
 * email (SMTP server, login, sender, recipients) and webhooks (URL and
 * secret, one row each, a blank row to add one, a box to remove one).
 * Secret fields are always empty: their placeholder says one is set, and
 * left empty it is kept.
 */
function notificationsGroup(
  ctx: PageContext,
  saved: ShownNotifications | undefined,
  form: Record<string, unknown> | undefined,
  disabled: boolean,
) {
  const { t } = ctx;
  const off = disabled ? html`disabled` : null;
  const id = (name: string) => `f-${name.replaceAll('.', '-')}`;
  const email = saved?.email ?? null;
  const savedValue: Record<string, string> = {
    [N.consoleUrl]: saved?.consoleUrl ?? '',
    [N.host]: email?.smtp.host ?? '',
    [N.port]: email ? String(email.smtp.port) : '',
    [N.user]: email?.smtp.auth?.user ?? '',
    [N.from]: email?.from ?? '',
    [N.to]: email?.to.join(', ') ?? '',
  };
  const value = (name: string) =>
    form ? (typeof form[name] === 'string' ? String(form[name]) : '') : (savedValue[name] ?? '');
  const text = (name: string, label: Key, type: 'text' | 'url' | 'email' = 'text', extra?: Html) =>
    html`<label for="${id(name)}">${t(label)}</label><input id="${id(name)}" type="${type}" name="${name}" value="${value(name)}" ${extra ?? null} ${off}>`;
  const secret = (name: string, label: string, set: boolean) =>
    html`<label for="${id(name)}">${label}</label><input id="${id(name)}" type="password" name="${name}" value="" autocomplete="new-password" ${set ? html`placeholder="${t('settings.secretSet')}"` : null} ${off}>`;
  const starttls = form ? form[N.starttls] === 'on' : (email?.smtp.starttls ?? true);
  const savedUrls = new Set((saved?.webhooks ?? []).map((w) => w.url));
  const rows = form
    ? postedHooks(form).filter((h) => h.url !== '')
    : (saved?.webhooks ?? []).map((w) => ({ url: w.url, remove: false }));
  const row = (hook: { url: string; remove: boolean }, i: number) => {
    const n = i + 1;
    return html`<label for="${id(hookField(i, 'url'))}">${t('field.notifications.webhookUrl', { n })}</label><input id="${id(hookField(i, 'url'))}" type="url" name="${hookField(i, 'url')}" value="${hook.url}" ${off}>
${secret(hookField(i, 'secret'), t('field.notifications.webhookSecret', { n }), savedUrls.has(hook.url))}
<label for="${id(hookField(i, 'remove'))}">${t('field.notifications.webhookRemove', { n })}</label><input id="${id(hookField(i, 'remove'))}" type="checkbox" name="${hookField(i, 'remove')}" ${hook.remove ? html`checked` : null} ${off}>`;
  };
  const blank = rows.length;
  return html`<fieldset><legend>${t('settings.notifications')}</legend>
<p class="hint" id="notifications-hint">${t('settings.notificationsHint')}</p>
<div class="grid">${text(N.consoleUrl, 'field.notifications.consoleUrl', 'url')}</div>
<fieldset><legend>${t('settings.email')}</legend><div class="grid">
${text(N.host, 'field.notifications.smtpHost')}
${text(N.port, 'field.notifications.smtpPort', 'text', html`inputmode="numeric" placeholder="587"`)}
<label for="${id(N.starttls)}">${t('field.notifications.smtpStarttls')}</label><input id="${id(N.starttls)}" type="checkbox" name="${N.starttls}" ${starttls ? html`checked` : null} ${off}>
${text(N.user, 'field.notifications.smtpUser', 'text', html`autocomplete="off"`)}
${secret(N.password, t('field.notifications.smtpPassword'), email?.smtp.auth != null)}
${text(N.from, 'field.notifications.from', 'email')}
${text(N.to, 'field.notifications.to')}
</div></fieldset>
<fieldset><legend>${t('settings.webhooks')}</legend><div class="grid">
${rows.map(row)}
${
  disabled
    ? null
    : html`<label for="${id(hookField(blank, 'url'))}">${t('field.notifications.newWebhookUrl')}</label><input id="${id(hookField(blank, 'url'))}" type="url" name="${hookField(blank, 'url')}" value="">
${secret(hookField(blank, 'secret'), t('field.notifications.newWebhookSecret'), false)}`
}
</div></fieldset>
</fieldset>`;
}

function testedList(ctx: PageContext, results: readonly TestResult[]) {
  const { t } = ctx;
  return html`<section aria-labelledby="tested-title"><h2 id="tested-title">${t('tested.title')}</h2>
<ul class="steps">${results.map(
    (r) =>
      html`<li class="step step-${r.ok ? 'passed' : 'failed'}" data-channel="${r.channel}"><strong>${r.channel === 'email' ? t('settings.email') : t('tested.webhook')}</strong> ${r.target}: <span class="badge state-${r.ok ? 'healthy' : 'failed'}">${r.ok ? t('tested.sent') : t('tested.failed')}</span>${r.status === null ? null : ` (${r.status})`}${r.error ? html`<br><span class="fix">${r.error}</span>` : null}</li>`,
  )}</ul></section>`;
}

export function checkList(ctx: PageContext, steps: readonly DoctorStep[]) {
  const { t } = ctx;
  return html`<section aria-labelledby="check-title"><h2 id="check-title">${t('check.title')}</h2>
<ol class="steps">${steps.map(
    (s) =>
      html`<li class="step step-${s.status}" data-step="${s.id}"><strong>${stepTitle(ctx.lang, s.id, s.title)}</strong>: <span class="badge state-${s.status === 'passed' ? 'healthy' : s.status === 'failed' ? 'failed' : 'never_run'}">${t(`check.${s.status}` as Key)}</span><br>${stepText(ctx, s)}</li>`,
  )}</ol></section>`;
}

export function auditPage(ctx: PageContext, entries: readonly AuditEntry[]) {
  const { t } = ctx;
  return layout(
    ctx,
    t('audit.title'),
    html`<table><thead><tr><th scope="col">${t('audit.at')}</th><th scope="col">${t('audit.who')}</th><th scope="col">${t('audit.school')}</th><th scope="col">${t('audit.what')}</th></tr></thead>
<tbody>${entries.map((e) => html`<tr><td>${when(ctx, e.at)}</td><td>${e.actor}</td><td>${e.school ?? '—'}</td><td>${e.action} <code>${JSON.stringify(e.detail)}</code></td></tr>`)}</tbody></table>`,
  );
}

export function accountsPage(
  ctx: PageContext,
  accounts: ReadonlyArray<{
    email: string;
    role: string;
    schools: readonly string[];
    passwordSet: boolean;
  }>,
  options: { link?: string; error?: string },
) {
  const { t } = ctx;
  return layout(
    ctx,
    t('accounts.title'),
    html`${options.link ? html`<p class="notice" role="status">${t('accounts.link')} <code>${options.link}</code></p>` : null}
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : null}
<table><thead><tr><th scope="col">${t('accounts.email')}</th><th scope="col">${t('accounts.role')}</th><th scope="col">${t('nav.fleet')}</th><th scope="col">${t('accounts.passwordSet')}</th></tr></thead>
<tbody>${accounts.map((a) => html`<tr><td>${a.email}</td><td>${a.role}</td><td>${a.schools.join(', ')}</td><td>${a.passwordSet ? t('yes') : t('no')}</td></tr>`)}</tbody></table>
<form method="post" action="/accounts" class="stack">
  ${csrfField(ctx)}
  <label>${t('accounts.email')} <input type="email" name="email" required></label>
  <label>${t('accounts.role')} <select name="role"><option>admin</option><option>viewer</option><option>operator</option></select></label>
  <label>${t('accounts.schools')} <input name="schools"></label>
  <button type="submit">${t('accounts.add')}</button>
</form>`,
  );
}

export function errorPage(ctx: PageContext, message: string) {
  return layout(
    ctx,
    ctx.t('error.title'),
    html`<p class="error" role="alert">${message}</p><p><a href="/schools">${ctx.t('nav.fleet')}</a></p>`,
  );
}
