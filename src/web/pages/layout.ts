import type { Lang, Translate } from '../i18n.ts';
import { type Html, html } from './html.ts';

export interface PageContext {
  readonly lang: Lang;
  readonly t: Translate;
  /** The path asked, for the language switch to come back to. */
  readonly path: string;
  readonly who: { readonly email: string; readonly role: string } | null;
  /** The session's CSRF token, for the forms of the page. */
  readonly csrf: string;
  /** Dates are shown on this zone's clock, named. @default Europe/Paris (the schools' usual zone) */
  readonly timeZone?: string;
}

export const csrfField = (ctx: PageContext) =>
  html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;

/** One page: a header with the navigation and the language switch, the content, one local script. */
export function layout(ctx: PageContext, title: string, body: Html): string {
  const { t } = ctx;
  const other: Lang = ctx.lang === 'fr' ? 'en' : 'fr';
  const back = encodeURIComponent(ctx.path);
  return `<!doctype html>${html`<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${ctx.csrf}">
<title>${title} · ${t('app.name')}</title>
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${t('nav.skip')}</a>
<header>
  <span class="brand">${t('app.name')}</span>
  ${
    ctx.who
      ? html`<nav aria-label="${t('app.name')}">
    <a href="/schools">${t('nav.fleet')}</a>
    <a href="/audit">${t('nav.audit')}</a>
    ${ctx.who.role === 'operator' ? html`<a href="/accounts">${t('nav.accounts')}</a>` : null}
  </nav>`
      : null
  }
  <a class="lang" href="/lang?to=${other}&amp;back=${back}" hreflang="${other}" lang="${other}">${other === 'fr' ? 'Français' : 'English'}</a>
  ${
    ctx.who
      ? html`<form method="post" action="/sign-out" class="inline">${csrfField(ctx)}<span class="who">${ctx.who.email} (${ctx.who.role})</span> <button type="submit">${t('nav.signOut')}</button></form>`
      : null
  }
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`}`;
}
