/**
 * Bridging the words of requests to the words of tools. Models ask for a "folder", tools say "directory";
 * they want to "remember" something, the memory server talks of "entities" and "observations".
 * Plain BM25 cannot see that these meet, so a query word also searches for its related words here, at a
 * lower weight than the word itself (see rank.ts).
 *
 * This is data, written by hand for the vocabulary of common MCP servers (files, code hosting, browsers,
 * maps, chat, notes, CRM, databases, memory). Entries are plain words; they are tokenized and stemmed
 * like everything else when the table is first used. Phrases ("pull request") are allowed on both sides.
 */

/** Words that mean nearly the same; each member stands for every other one. */
export const SYNONYMS: readonly string[] = [
  'folder directory dir',
  'file document doc',
  'remove delete erase trash',
  'rename move',
  'find search look locate lookup',
  'fetch get retrieve read',
  'make create new add',
  'edit modify change update patch',
  'save write store persist',
  'show display view',
  'list enumerate ls',
  'repo repository',
  'pr pull request',
  'mr merge request',
  'bug issue ticket',
  'picture image photo',
  'screenshot capture screen',
  'message post send say',
  'reply respond answer',
  'emoji reaction react',
  'user member person people account',
  'coordinates latitude longitude lat lng geocode',
  'address street location',
  'route directions',
  'web internet online',
  'sql query select',
  'database db',
  'think thought reason reasoning',
  'popup dialog alert confirm prompt',
  'dropdown select option',
  'js javascript script evaluate',
  'upload attach',
];

/**
 * One-way hints: a request word on the left suggests the words tools use on the right. Kept one-way
 * where the reverse would mislead (a tool about "entities" is not about "remembering" in general).
 */
export const HINTS: Readonly<Record<string, string>> = {
  remember: 'memory entities observations knowledge graph create',
  recall: 'memory search nodes knowledge graph',
  forget: 'delete entities memory',
  memory: 'knowledge graph entities',
  ls: 'list directory',
  cat: 'read file',
  grep: 'search code',
  mkdir: 'create directory',
  mv: 'move file',
  rm: 'delete',
  open: 'read create',
  close: 'update state',
  approve: 'review',
  checks: 'status',
  ci: 'status checks',
  rebase: 'update branch',
  google: 'web search',
  news: 'web search',
  browser: 'navigate page',
  go: 'navigate',
  visit: 'navigate url',
  url: 'navigate',
  button: 'click',
  back: 'navigate back history',
};
