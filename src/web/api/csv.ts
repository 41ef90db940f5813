import type { RunReport } from '../../sync/report.ts';

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
const field = (value: string | null | undefined): string => {
  // A cell starting like a formula is made text: a spreadsheet must not run a name read from Auriga.
  const text = /^[=+\-@\t\r]/.test(value ?? '') ? `'${value}` : (value ?? '');
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** One line per record the run wrote, held or failed, with its reason. */
export function outcomesCsv(report: RunReport | null): string {
  const lines = [['kind', 'auriga_id', 'edusign_id', 'outcome', 'code', 'reason']];
  for (const d of report?.done ?? [])
    lines.push([d.kind, d.aurigaId, d.edusignId, d.action, '', d.reason]);
  for (const h of report?.held ?? [])
    lines.push([h.kind, h.aurigaId, h.edusignId ?? '', `held_${h.wanted}`, h.cause, h.message]);
  for (const f of report?.failures ?? [])
    lines.push([f.kind, f.aurigaId, '', `failed_${f.action}`, f.code, f.message]);
  return `${lines.map((line) => line.map(field).join(',')).join('\r\n')}\r\n`;
}
