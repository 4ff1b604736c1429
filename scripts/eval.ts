/**
 * npm run eval — how well search mode finds tools, what it saves, how fast it is.
 *   bun scripts/eval.ts [--misses] [--json]
 *
 * Catalog: the recorded tools/list of real MCP servers in test/fixtures/catalog (scripts/record-catalog.ts).
 * Requests: test/fixtures/catalog/queries.json, each with the tool(s) that serve it. The "heldout" split was
 * written with the rest, before the ranker existed, and is never used for tuning: `--misses` prints the
 * misses of the "tune" split only.
 * Prints recall@1 and recall@5 for our ranker and for plain BM25 (scripts/eval-baseline.ts), the
 * estimated tokens of the direct tools/list against the search-mode list, and index/search times on a
 * 1,000-tool catalog made by repeating the recorded one under renamed servers.
 */
import { availableParallelism, loadavg } from 'node:os';
import { buildSearchIndex, estimateTokens, search } from '../src/search/index.ts';
import { metaTools } from '../src/search/meta-tools.ts';
import { clearSearchCaches } from '../src/search/tool-text.ts';
import { exposedTools, loadBaseServers, loadQueries, loadServers, toEntries, type EvalQuery } from '../test/fixtures/catalog/load.ts';
import { buildBaseline } from './eval-baseline.ts';

const showMisses = process.argv.includes('--misses');
const asJson = process.argv.includes('--json');

// 'tune' and 'heldout' are judged on the catalog they were written for; 'unseen' (servers recorded after
// the ranker was frozen) on the whole catalog, where every other server is a distractor.
const allServers = loadServers();
const servers = loadBaseServers();
const entries = toEntries(servers);
const allEntries = toEntries(allServers);
const allQueries = loadQueries();
const queries = allQueries.filter((q) => q.split === 'tune' || q.split === 'heldout');
const unseen = allQueries.filter((q) => q.split === 'unseen');
const fresh = allQueries.filter((q) => q.split === 'fresh');

type Ranker = (query: string, limit: number) => string[];

interface Recall {
  n: number;
  at1: number;
  at5: number;
}

function recall(rank: Ranker, subset: readonly EvalQuery[], onMiss?: (q: EvalQuery, got: string[]) => void): Recall {
  let at1 = 0;
  let at5 = 0;
  for (const q of subset) {
    const got = rank(q.query, 5);
    if (q.expect.includes(got[0] ?? '')) at1++;
    if (got.some((name) => q.expect.includes(name))) at5++;
    else onMiss?.(q, got);
  }
  return { n: subset.length, at1: at1 / subset.length, at5: at5 / subset.length };
}

const index = buildSearchIndex(entries);
const allIndex = buildSearchIndex(allEntries);
const ours: Ranker = (q, limit) => search(index, q, limit).map((h) => h.name);
const oursAll: Ranker = (q, limit) => search(allIndex, q, limit).map((h) => h.name);
const noVocabulary: Ranker = (q, limit) => search(index, q, limit, { vocabulary: false }).map((h) => h.name);
const noVocabularyAll: Ranker = (q, limit) => search(allIndex, q, limit, { vocabulary: false }).map((h) => h.name);
const baseline = buildBaseline(entries);
const baselineAll = buildBaseline(allEntries);
const splits = {
  all: queries,
  tune: queries.filter((q) => q.split === 'tune'),
  heldout: queries.filter((q) => q.split === 'heldout'),
};

function table(base: Ranker, full: Ranker) {
  return {
    all: recall(base, splits.all),
    tune: recall(base, splits.tune),
    heldout: recall(base, splits.heldout),
    unseen: recall(full, unseen),
    fresh: recall(full, fresh),
  };
}
const results = {
  ours: table(ours, oursAll),
  withoutVocabulary: table(noVocabulary, noVocabularyAll),
  baseline: table(baseline, baselineAll),
};

// Tokens: what tools/list costs a client in each mode, on the whole catalog.
const directTokens = estimateTokens({ tools: exposedTools(allServers) });
const searchTokens = estimateTokens({ tools: metaTools() });

// Speed on 1,000 tools: the recorded catalog again and again under renamed servers. Each copy's
// descriptions get a distinct ending so the tokenizer's memo cannot share work between copies.
const TARGET = 1000;
const big: typeof entries = [];
for (let copy = 0; big.length < TARGET; copy++) {
  const tools = toEntries(allServers, (s) => (copy ? `${s}${copy + 1}` : s));
  big.push(...(copy ? tools.map((t) => ({ ...t, description: `${t.description ?? ''} (mirror ${copy + 1})` })) : tools));
}
big.length = TARGET;
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const coldBuild: number[] = [];
const warmBuild: number[] = [];
let bigIndex = buildSearchIndex(big);
for (let i = 0; i < 10; i++) {
  clearSearchCaches();
  let t = performance.now();
  bigIndex = buildSearchIndex(big);
  coldBuild.push(performance.now() - t);
  t = performance.now();
  bigIndex = buildSearchIndex(big);
  warmBuild.push(performance.now() - t);
}
for (const q of queries) search(bigIndex, q.query); // warm-up
const searchTimes: number[] = [];
for (let round = 0; round < 10; round++) {
  for (const q of queries) {
    const t = performance.now();
    search(bigIndex, q.query);
    searchTimes.push(performance.now() - t);
  }
}

const report = {
  catalog: {
    servers: allServers.map((s) => `${s.name}@${s.version}`),
    tools: allEntries.length,
    baseTools: entries.length,
    baseServers: servers.length,
  },
  queries: {
    tunedCatalog: splits.all.length,
    tune: splits.tune.length,
    heldout: splits.heldout.length,
    unseen: unseen.length,
    fresh: fresh.length,
  },
  recall: results,
  tokens: { direct: directTokens, searchMode: searchTokens, ratio: searchTokens / directTokens },
  speed: {
    tools: big.length,
    coldBuildMsP50: percentile(coldBuild, 50),
    rebuildMsP50: percentile(warmBuild, 50),
    searchMsP50: percentile(searchTimes, 50),
    searchMsP99: percentile(searchTimes, 99),
  },
};

if (asJson) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`.padStart(8);
  console.log(`catalog: ${allEntries.length} tools from ${allServers.length} servers (${report.catalog.servers.join(', ')})`);
  console.log(
    `requests: tune ${splits.tune.length} + held out ${splits.heldout.length} on the first ${servers.length} servers ` +
      `(${entries.length} tools); unseen ${unseen.length} and fresh ${fresh.length} on all ${allEntries.length} tools\n`,
  );
  console.log('                 recall@1                                         recall@5');
  console.log('                 tune+ho  tune     held out unseen   fresh        tune+ho  tune     held out unseen   fresh');
  const rows = [
    ['1mcp search', results.ours],
    ['  no vocabulary', results.withoutVocabulary],
    ['plain BM25', results.baseline],
  ] as const;
  for (const [label, r] of rows) {
    const cells = (k: 'at1' | 'at5') => [r.all, r.tune, r.heldout, r.unseen, r.fresh].map((x) => pct(x[k])).join(' ');
    console.log(`${label.padEnd(16)} ${cells('at1')}   ${cells('at5')}`);
  }
  console.log(
    `\ntokens of tools/list (estimated): direct ${directTokens}, search mode ${searchTokens} ` +
      `(${((searchTokens / directTokens) * 100).toFixed(1)} % of direct)`,
  );
  console.log(
    `${big.length} tools: index build ${report.speed.coldBuildMsP50.toFixed(1)} ms cold, ` +
      `${report.speed.rebuildMsP50.toFixed(1)} ms rebuild (p50); ` +
      `search ${report.speed.searchMsP50.toFixed(3)} ms p50, ${report.speed.searchMsP99.toFixed(3)} ms p99 ` +
      `(wall clock; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`,
  );
}

if (showMisses) {
  console.log('\nmisses of the tune split (expected → top 5):');
  const show = (q: EvalQuery, got: string[]) => console.log(`  "${q.query}"  ${q.expect[0]}\n      → ${got.join(', ')}`);
  recall(ours, splits.tune, show);
  console.log('\nrank-1 misses of the tune split:');
  for (const q of splits.tune) {
    const got = ours(q.query, 5);
    if (!q.expect.includes(got[0] ?? '') && got.some((n) => q.expect.includes(n))) show(q, got);
  }
}
