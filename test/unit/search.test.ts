/**
 * The search engine of search mode (src/search) on the recorded catalog of real MCP servers
 * (test/fixtures/catalog): tokenizer, stemmer, ranking quality held to the level it reaches, index
 * rebuilds, argument errors, the meta-tool definitions and the token estimate.
 */
import { describe, expect, test } from 'bun:test';
import { NAME_PATTERN } from '../../src/catalog/names.ts';
import { buildSearchIndex, estimateTokens, firstSentence, search, type SearchEntry } from '../../src/search/index.ts';
import { CALL_TOOL, DESCRIBE_TOOL, formatHits, metaTools, parseSearchArguments, SEARCH_TOOLS } from '../../src/search/meta-tools.ts';
import { stem } from '../../src/search/stem.ts';
import { splitExposedName, splitWords, tokenize } from '../../src/search/tokenize.ts';
import { buildBaseline } from '../../scripts/eval-baseline.ts';
import { exposedTools, loadBaseServers, loadQueries, loadServers, toEntries, type EvalQuery } from '../fixtures/catalog/load.ts';

// 'tune' and 'heldout' requests are judged on the 16 servers they were written for; 'unseen' and 'fresh'
// (written after the ranker was frozen, see queries.json) on all 23 recorded servers.
const servers = loadBaseServers();
const entries = toEntries(servers);
const index = buildSearchIndex(entries);
const allServers = loadServers();
const allEntries = toEntries(allServers);
const allIndex = buildSearchIndex(allEntries);
const everyQuery = loadQueries();
const queries = everyQuery.filter((q) => q.split === 'tune' || q.split === 'heldout');
const later = everyQuery.filter((q) => q.split === 'unseen' || q.split === 'fresh');

function recall(rank: (q: string) => string[], subset: readonly EvalQuery[]) {
  let at1 = 0;
  let at5 = 0;
  for (const q of subset) {
    const got = rank(q.query).slice(0, 5);
    if (q.expect.includes(got[0] ?? '')) at1++;
    if (got.some((n) => q.expect.includes(n))) at5++;
  }
  return { at1: at1 / subset.length, at5: at5 / subset.length };
}
const top = (q: string, limit = 5) => search(index, q, limit).map((h) => h.name);

describe('tokenizer', () => {
  test('splits snake_case, camelCase, kebab-case, acronyms and digits', () => {
    expect(splitWords('create_or_update_file')).toEqual(['create', 'or', 'update', 'file']);
    expect(splitWords('getPullRequest')).toEqual(['get', 'pull', 'request']);
    expect(splitWords('hubspot-list-objects')).toEqual(['hubspot', 'list', 'objects']);
    expect(splitWords('HTTPServer')).toEqual(['http', 'server']);
    expect(splitWords('page2Next')).toEqual(['page', '2', 'next']);
    expect(splitWords('API-get-user')).toEqual(['api', 'get', 'user']);
  });

  test('keeps plural acronyms whole', () => {
    expect(splitWords('show open PRs')).toEqual(['show', 'open', 'prs']);
    expect(splitWords('list URLs and IDs')).toEqual(['list', 'urls', 'and', 'ids']);
  });

  test('separates the server prefix of an exposed name', () => {
    expect(splitExposedName('github_1mcp_create_issue')).toEqual({ prefix: 'github', tool: 'create_issue' });
    expect(splitExposedName('google-maps_1mcp_maps_geocode')).toEqual({ prefix: 'google-maps', tool: 'maps_geocode' });
    expect(splitExposedName('bare_tool')).toEqual({ prefix: '', tool: 'bare_tool' });
  });

  test('drops stop words, numbers and single letters, and stems', () => {
    expect(tokenize('Read the contents of 3 files in a directory')).toEqual(['read', 'content', 'file', 'directori']);
    expect(tokenize('the of and')).toEqual([]);
  });

  test('copes with text that changes length when lowercased', () => {
    expect(tokenize('İstanbul Directories')).toContain('directori');
  });
});

describe('Porter stemmer', () => {
  test.each([
    ['caresses', 'caress'],
    ['ponies', 'poni'],
    ['agreed', 'agre'],
    ['hopping', 'hop'],
    ['filing', 'file'],
    ['relational', 'relat'],
    ['electrical', 'electr'],
    ['adoption', 'adopt'],
    ['generalization', 'gener'],
    ['directories', 'directori'],
    ['directory', 'directori'],
    ['created', 'creat'],
    ['creating', 'creat'],
    ['yelling', 'yell'],
  ])('%s → %s', (word, stemmed) => {
    expect(stem(word)).toBe(stemmed);
  });

  test('leaves short and non-ASCII words alone', () => {
    expect(stem('go')).toBe('go');
    expect(stem('straße')).toBe('straße');
  });
});

describe('ranking on the recorded catalog', () => {
  test('the catalog is real and large enough', () => {
    expect(servers.length).toBeGreaterThanOrEqual(6);
    expect(entries.length).toBeGreaterThanOrEqual(150);
    expect(allEntries.length).toBeGreaterThanOrEqual(300);
    expect(queries.length).toBeGreaterThanOrEqual(80);
    const names = new Set(allEntries.map((e) => e.name));
    const base = new Set(entries.map((e) => e.name));
    for (const q of everyQuery) for (const name of q.expect) expect(names.has(name)).toBe(true);
    for (const q of queries) for (const name of q.expect) expect(base.has(name)).toBe(true);
  });

  // Reached (scripts/eval.ts): held out r@1 0.80, r@5 0.95; tune + held out r@1 0.79, r@5 0.96;
  // unseen + fresh r@1 0.70, r@5 0.94 (plain BM25 0.56 / 0.88). Thresholds leave a small margin.
  test('held-out requests: recall@1 ≥ 0.75, recall@5 ≥ 0.92', () => {
    const r = recall((q) => top(q), queries.filter((q) => q.split === 'heldout'));
    expect(r.at1).toBeGreaterThanOrEqual(0.75);
    expect(r.at5).toBeGreaterThanOrEqual(0.92);
  });

  test('tune and held-out requests: recall@1 ≥ 0.75, recall@5 ≥ 0.93, well above plain BM25', () => {
    const ours = recall((q) => top(q), queries);
    const baseline = buildBaseline(entries);
    const plain = recall((q) => baseline(q, 5), queries);
    expect(ours.at1).toBeGreaterThanOrEqual(0.75);
    expect(ours.at5).toBeGreaterThanOrEqual(0.93);
    expect(ours.at5 - plain.at5).toBeGreaterThanOrEqual(0.2);
  });

  test('requests written after the ranker was frozen, on all 314 tools: recall@1 ≥ 0.65, recall@5 ≥ 0.9, above plain BM25', () => {
    const ours = recall((q) => search(allIndex, q, 5).map((h) => h.name), later);
    const baseline = buildBaseline(allEntries);
    const plain = recall((q) => baseline(q, 5), later);
    expect(ours.at1).toBeGreaterThanOrEqual(0.65);
    expect(ours.at5).toBeGreaterThanOrEqual(0.9);
    expect(ours.at1).toBeGreaterThan(plain.at1);
    expect(ours.at5).toBeGreaterThan(plain.at5);
  });

  test('bridges request words to tool words', () => {
    expect(top('make a new folder', 1)).toEqual(['filesystem_1mcp_create_directory']);
    expect(top('lat/long of the Eiffel Tower', 3)).toContain('google-maps_1mcp_maps_geocode');
    expect(top('remember that I like tea', 5).some((n) => n.startsWith('memory_1mcp_'))).toBe(true);
  });

  test('the vocabulary is what bridges them (vocabulary: false leaves it out)', () => {
    expect(search(index, 'make a new folder', 3, { vocabulary: false }).map((h) => h.name)).not.toContain(
      'filesystem_1mcp_create_directory',
    );
    expect(search(index, 'remember that I like tea', 3, { vocabulary: false })).toEqual([]);
  });

  test('one- and two-word requests still find their tool', () => {
    expect(top('ls')).toContain('filesystem_1mcp_list_directory');
    expect(top('sql')).toContain('postgres_1mcp_query');
    expect(top('screenshot').some((n) => /screenshot/.test(n))).toBe(true);
    expect(top('merge PR', 1)).toEqual(['github_1mcp_merge_pull_request']);
  });

  test('file names, URLs and coordinates in a request point to the right kind of tool', () => {
    expect(top('show me ./src/index.ts', 3).some((n) => /filesystem_1mcp_read/.test(n))).toBe(true);
    expect(top('go to https://example.com/login', 2)).toContain('playwright_1mcp_browser_navigate');
    expect(top('what is at 40.7128, -74.0060', 3)).toContain('google-maps_1mcp_maps_reverse_geocode');
  });

  test('a server named in the request wins over the same tool elsewhere', () => {
    expect(top('create an issue on gitlab', 1)).toEqual(['gitlab_1mcp_create_issue']);
    expect(top('create an issue on github', 1)).toEqual(['github_1mcp_create_issue']);
  });

  test('hits carry server, the first sentence of the description and a descending score', () => {
    const hits = search(index, 'read a file', 8);
    expect(hits).toHaveLength(8);
    for (const h of hits) {
      expect(entries.find((e) => e.name === h.name)?.server).toBe(h.server);
      expect(h.description).toBe(firstSentence(entries.find((e) => e.name === h.name)?.description));
      expect(h.score).toBeGreaterThan(0);
    }
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
  });

  test('is deterministic', () => {
    expect(search(buildSearchIndex(entries), 'click the button')).toEqual(search(index, 'click the button'));
  });
});

describe('index updates', () => {
  test('rebuilding without a server removes its tools from results', () => {
    expect(top('post a message to a slack channel', 1)).toEqual(['slack_1mcp_slack_post_message']);
    const without = buildSearchIndex(entries.filter((e) => e.server !== 'slack'));
    const names = search(without, 'post a message to a slack channel', 50).map((h) => h.name);
    expect(names.some((n) => n.startsWith('slack_1mcp_'))).toBe(false);
  });

  test('a tool added on rebuild is found', () => {
    const weather: SearchEntry = {
      name: 'weather_1mcp_get_forecast',
      server: 'weather',
      serverTags: ['forecast'],
      description: 'Get the weather forecast for a city. Returns temperature and rain chance per day.',
      inputSchema: { type: 'object', properties: { city: { type: 'string', description: 'City name' } } },
    };
    expect(search(index, 'will it rain in Oslo tomorrow').map((h) => h.name)).not.toContain(weather.name);
    const updated = buildSearchIndex([...entries, weather]);
    expect(search(updated, 'will it rain in Oslo tomorrow', 1).map((h) => h.name)).toEqual([weather.name]);
  });

  test('a tool whose description changed is found by its new words after a rebuild', () => {
    const before: SearchEntry = { name: 'x_1mcp_tool', server: 'x', description: 'Frobnicate widgets.' };
    const after: SearchEntry = { ...before, description: 'Polish gadgets until they shine.' };
    expect(search(buildSearchIndex([before]), 'polish gadgets')).toEqual([]);
    expect(search(buildSearchIndex([after]), 'polish gadgets', 1).map((h) => h.description)).toEqual(['Polish gadgets until they shine.']);
    expect(search(buildSearchIndex([after]), 'frobnicate widgets')).toEqual([]);
  });

  test('an empty catalog finds nothing', () => {
    expect(search(buildSearchIndex([]), 'read a file')).toEqual([]);
  });

  test('tools without description or schema, and odd schemas, are indexed by name', () => {
    const odd = buildSearchIndex([
      { name: 'x_1mcp_frobnicate_widget', server: 'x' },
      { name: 'x_1mcp_other', server: 'x', description: 'Something else', inputSchema: 'not a schema' },
      { name: 'x_1mcp_third', server: 'x', inputSchema: { properties: { widget: null } } },
    ]);
    expect(search(odd, 'frobnicate the widget', 1).map((h) => h.name)).toEqual(['x_1mcp_frobnicate_widget']);
  });

  test('an entry without a name or server is refused with a clear error', () => {
    expect(() => buildSearchIndex([{ name: '', server: 'x' }])).toThrow('search index entry 0 has no name');
    expect(() => buildSearchIndex([{ name: 'a', server: undefined as unknown as string }])).toThrow('has no server');
  });
});

describe('query and limit errors', () => {
  test('an empty query is an error that says what to do', () => {
    expect(() => search(index, '')).toThrow('search query is empty: describe the tool you need');
    expect(() => search(index, '   ')).toThrow('search query is empty');
  });

  test('a query of stop words only finds nothing', () => {
    expect(search(index, 'the of and')).toEqual([]);
  });

  test('limit must be a whole number from 1 to 50', () => {
    expect(search(index, 'read a file', 1)).toHaveLength(1);
    expect(search(index, 'get list create update delete search', 50)).toHaveLength(50);
    for (const bad of [0, 51, 2.5, Number.NaN]) {
      expect(() => search(index, 'read a file', bad)).toThrow('search limit must be a whole number from 1 to 50');
    }
  });
});

describe('meta-tools', () => {
  test('three valid tools with the documented names and arguments', () => {
    const tools = metaTools();
    expect(tools.map((t) => t.name)).toEqual([SEARCH_TOOLS, DESCRIBE_TOOL, CALL_TOOL]);
    for (const t of tools) expect(t.name).toMatch(NAME_PATTERN);
    expect(tools[0]!.inputSchema.required).toEqual(['query']);
    expect(tools[1]!.inputSchema.required).toEqual(['name']);
    expect(tools[2]!.inputSchema.required).toEqual(['name']);
    expect(Object.keys(tools[2]!.inputSchema.properties ?? {})).toEqual(['name', 'arguments']);
    // Copies: a caller changing one does not change the next.
    tools[0]!.description = 'changed';
    expect(metaTools()[0]!.description).not.toBe('changed');
  });

  test('search arguments are checked with messages a model can act on', () => {
    expect(parseSearchArguments({ query: 'read a file' })).toEqual({ query: 'read a file', limit: 8 });
    expect(parseSearchArguments({ query: 'x', limit: 20 })).toEqual({ query: 'x', limit: 20 });
    expect(() => parseSearchArguments({})).toThrow('1mcp_search_tools needs "query"');
    expect(() => parseSearchArguments({ query: 'x', limit: 0 })).toThrow('"limit" must be a whole number from 1 to 50, got 0');
    expect(() => parseSearchArguments({ query: 'x', limit: '5' })).toThrow('got "5"');
  });

  test('hits are formatted one per line', () => {
    const text = formatHits(search(index, 'read a file', 3));
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toMatch(/^filesystem_1mcp_\w+ \(filesystem\) — /);
    expect(formatHits([])).toContain('No tool matches');
  });

  test('the search-mode list costs at most 5 % of the direct list', () => {
    expect(estimateTokens({ tools: metaTools() })).toBeLessThanOrEqual(0.05 * estimateTokens({ tools: exposedTools(servers) }));
    expect(estimateTokens({ tools: metaTools() })).toBeLessThanOrEqual(0.01 * estimateTokens({ tools: exposedTools(allServers) }));
  });
});

describe('token estimate', () => {
  // o200k_base (GPT-4o) counts, checked with gpt-tokenizer 4.0.0: 46,277 tokens for the compact JSON of
  // the 16 servers' tools the heuristic was fitted on; 124,546 for all 314 tools under exposed names
  // (the 7 later servers were not used to fit it); 396 for the three meta-tools.
  test('is within 5 % of a real tokenizer on the recorded catalog', () => {
    const near = (estimate: number, real: number) => Math.abs(estimate - real) / real;
    expect(near(estimateTokens({ tools: servers.flatMap((s) => s.tools) }), 46_277)).toBeLessThan(0.05);
    expect(near(estimateTokens({ tools: exposedTools(allServers) }), 124_546)).toBeLessThan(0.05);
    expect(near(estimateTokens({ tools: metaTools() }), 396)).toBeLessThan(0.05);
  });

  test('counts strings as they are and other values as JSON', () => {
    expect(estimateTokens('hello world')).toBe(2);
    expect(estimateTokens({ a: 'hello world' })).toBeGreaterThan(estimateTokens('hello world'));
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens(undefined)).toBe(0);
    expect(estimateTokens('日本語')).toBe(3);
  });
});
