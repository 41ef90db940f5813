import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { edusignClientFor, edusignPortFor } from '../src/app/edges.ts';
import { createAurigaReader } from '../src/auriga/reader.ts';
import { openSqliteStore } from '../src/store/index.ts';
import type { SchoolStore, Store } from '../src/store/port.ts';
import type { EdusignPort } from '../src/sync/ports.ts';
import { runSync } from '../src/sync/run.ts';
import { startHarness } from './helpers/sync-harness.ts';

/*
 * What the executor asks of the store, on both APIs: a chunk's creates are
 * journaled in one transaction before any of them is sent, and its results
 * saved in one after; no record costs a commit of its own.
 */

/** Counts a school store's calls per method, passing each through. */
function counting(store: SchoolStore): { store: SchoolStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

/**
 * The port, checking at each write that every create it is handed is in the
 * store's journal already: what makes a lost answer or a killed run safe.
 */
function journalChecked(port: EdusignPort, store: SchoolStore, seen: { creates: number }) {
  return {
    ...port,
    maxBatch: port.maxBatch,
    look: port.look.bind(port),
    findByExternalId: port.findByExternalId.bind(port),
    getCourse: port.getCourse.bind(port),
    async write(requests, signal) {
      const pending = await store.pendingJournal();
      const journaled = new Set(pending.map((e) => `${e.kind}:${e.aurigaId}`));
      for (const r of requests)
        if (r.action === 'create') {
          seen.creates += 1;
          assert.ok(
            journaled.has(`${r.kind}:${r.aurigaId}`),
            `${r.kind} ${r.aurigaId} journaled first`,
          );
        }
      return port.write(requests, signal);
    },
  } satisfies EdusignPort;
}

for (const api of ['v1', 'v3'] as const)
  describe(`store commits of a sync (${api})`, () => {
    test('the initial sync of the small school: a handful of transactions, none per record; creates journaled before they are sent', async () => {
      const h = await startHarness({ school: 'small', seed: 7, api });
      let opened: Store | undefined;
      try {
        opened = await openSqliteStore(':memory:');
        const { store, calls } = counting(opened.forSchool('e2e'));
        const config = h.configuration;
        const edge = edusignPortFor(edusignClientFor(config), config);
        const seen = { creates: 0 };
        const report = await runSync({
          school: 'e2e',
          options: config.options,
          auriga: createAurigaReader(config.auriga, config.options),
          edusign: journalChecked(edge.port, store, seen),
          store,
          concurrency: config.edusign.concurrency,
        });
        assert.equal(report.outcome, 'succeeded', JSON.stringify(report.failures.slice(0, 3)));
        const created = Object.values(report.counts).reduce((n, c) => n + c.created, 0);
        assert.ok(created > 100, `${created} records created`);
        assert.equal(seen.creates, created);
        for (const method of ['journalBegin', 'journalEnd', 'putMapping', 'deleteMapping'])
          assert.equal(calls.get(method) ?? 0, 0, `${method} is never called record by record`);
        // Four kinds, each one chunk here: its journal, then its results.
        assert.ok((calls.get('commit') ?? 0) <= 8, `${calls.get('commit')} commits`);
        assert.equal((await store.pendingJournal()).length, 0, 'every entry ended');
        assert.equal((await store.listMappings()).length, created);
      } finally {
        await opened?.close();
        await h.cleanup();
      }
    });
  });
