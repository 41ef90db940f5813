import assert from 'node:assert/strict';
import { test } from 'node:test';
import { html } from './html.ts';

test('interpolated text is escaped, nested html is not', () => {
  const name = '<script>alert("x")</script>';
  const inner = html`<b>${name}</b>`;
  assert.equal(
    html`<p title="${'a"b'}">${inner}${[1, 2]}${null}${false}</p>`.value,
    '<p title="a&quot;b"><b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</b>12</p>',
  );
});
