/**
 * Bridging the words of requests to the words of tools. Models ask for a "folder", tools say "directory";
 * they want to "remember" something, the memory server talks of "entities" and "observations".
 * Plain BM25 cannot see that these meet, so a query word also searches for its related words here, at a
 * lower weight than the word itself (see rank.ts).
 *
 * This is data, written by hand for the vocabulary of common MCP servers (files, code hosting, browsers,
 * maps, chat, notes, CRM, databases, memory). Entries are plain words; they are tokenized and stemmed
 * like everything else when the table is first used. Items are separated by commas; an item may be a
 * phrase ("pull request"), and a HINTS key may be a two-word phrase ("sea level").
 */

/** Words that mean nearly the same; each member stands for every other one. */
export const SYNONYMS: readonly string[] = [
  'folder, directory, dir',
  'file, document, doc',
  'remove, delete, erase, trash',
  'rename, move',
  'find, search, look, locate, lookup',
  'fetch, get, retrieve, read',
  'make, create, new, add',
  'edit, modify, change, update, patch',
  'save, write, store, persist',
  'show, display, view',
  'list, enumerate, ls',
  'multiple, several, many, batch, bulk',
  'repo, repository',
  'pr, pull request',
  'mr, merge request',
  'bug, issue, ticket',
  'picture, image, photo',
  'screenshot, capture, screen',
  'message, post, send, say',
  'reply, respond, answer',
  'emoji, reaction, react',
  'user, member, person, people, account',
  'coordinates, latitude, longitude, lat, lng, geocode',
  'address, street, location',
  'route, directions',
  'elevation, altitude, height',
  'web, internet, online',
  'sql, query, select',
  'database, db',
  'think, thought, reason, reasoning',
  'popup, dialog, alert, confirm, prompt',
  'dropdown, select, option',
  'js, javascript, script, evaluate',
  'upload, attach',
  'hover, mouse over',
  'key, keyboard',
  'hit, press',
  'properties, fields, attributes',
  'workflow, automation',
  'compress, gzip, zip',
  'env, environment variables',
  // Common abbreviations, both ways.
  'org, organization',
  'config, configuration, settings',
  'info, information, details',
  'docs, documentation',
  'auth, authentication, login',
  'msg, message',
  'pic, picture',
  'img, image',
  'num, number',
  'desc, description',
  'dev, development',
  'prod, production',
  'k8s, kubernetes',
  'pwd, working directory',
  'cwd, working directory',
];

/**
 * One-way hints: a request word (or two-word phrase) on the left suggests the words tools use on the
 * right. Kept one-way where the reverse would mislead (a tool about "entities" is not about
 * "remembering" in general).
 */
export const HINTS: Readonly<Record<string, string>> = {
  // memory / knowledge graph
  remember: 'memory, entities, observations, knowledge graph, create entities',
  recall: 'memory, search nodes, knowledge graph',
  forget: 'delete entities, delete, memory',
  memory: 'knowledge graph, entities',
  fact: 'observations',
  facts: 'observations',
  link: 'relations, associations',
  relationship: 'relations, associations',
  associated: 'associations',
  // files and shell habits
  ls: 'list directory, directory',
  cat: 'read file',
  grep: 'search code, search',
  mkdir: 'create directory',
  mv: 'move file',
  rm: 'delete',
  view: 'read',
  disk: 'file, filesystem',
  png: 'image, media',
  jpg: 'image, media',
  jpeg: 'image, media',
  gif: 'image, media',
  svg: 'image, media',
  mp3: 'audio, media',
  wav: 'audio, media',
  big: 'size, info',
  size: 'sizes, info',
  modified: 'info, metadata, modification',
  last: 'tail',
  lines: 'text, tail, head',
  // verbs
  open: 'read, create',
  show: 'list, read',
  exist: 'list',
  leave: 'create, add, post',
  create: 'post',
  update: 'patch, put',
  drop: 'delete, remove',
  filter: 'query, search',
  // code hosting
  close: 'update, state',
  approve: 'review',
  checks: 'status',
  ci: 'status checks, status',
  rebase: 'update branch',
  propose: 'pull request, merge request, create',
  upload: 'push',
  project: 'repository',
  profile: 'user, users',
  // web and browser
  google: 'web search',
  news: 'web search',
  browser: 'navigate, page',
  go: 'navigate',
  visit: 'navigate, url',
  url: 'navigate',
  button: 'click',
  back: 'navigate back, history',
  'api calls': 'network requests',
  calls: 'requests',
  viewport: 'resize, window',
  phone: 'resize, window',
  mobile: 'resize, window',
  enter: 'press key, key',
  escape: 'press key, key',
  accessibility: 'snapshot',
  // maps
  'lat long': 'coordinates, geocode, latitude, longitude',
  'sea level': 'elevation',
  high: 'elevation',
  restaurant: 'place, places',
  cafe: 'place, places',
  shop: 'place, places',
  store: 'place, places',
  hotel: 'place, places',
  hours: 'place details',
  // databases
  rows: 'sql, query',
  table: 'sql, query, database',
  columns: 'sql, query',
  database: 'sql, query, data source',
  // chat
  lately: 'history, recent',
  recent: 'history',
  said: 'messages, history',
  // notes and wikis
  paragraph: 'block children, block',
  append: 'block children',
  // CRM
  crm: 'hubspot, objects',
  deal: 'objects, crm',
  deals: 'objects, crm',
  contact: 'objects, crm',
  contacts: 'objects, crm',
  company: 'objects, crm',
  companies: 'objects, crm',
  timeline: 'engagement',
};

/** Extensions that make a word a file name ("package.json", "error.log"), not a property path ("document.title"). */
export const FILE_EXTENSIONS: readonly string[] = (
  'txt md markdown rst json jsonl yaml yml toml ini cfg conf env xml csv tsv log lock ' +
  'js mjs cjs jsx ts mts cts tsx py rb go rs java kt swift c h cc cpp hpp cs php sh bash zsh ps1 sql ' +
  'html htm css scss vue svelte png jpg jpeg gif svg webp ico bmp tiff mp3 wav ogg flac mp4 mov webm ' +
  'pdf doc docx xls xlsx ppt pptx zip tar gz tgz bz2 xz 7z wasm'
).split(' ');
