/** The environment a stdio backend gets: parent env (filtered by envFilter globs) + its own env. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, process.platform === 'win32' ? 'i' : '');
}

export function childEnv(
  server: { env: Record<string, string>; inheritParentEnv: boolean; envFilter?: string[] },
  parent: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (server.inheritParentEnv) {
    const filters = server.envFilter?.map(globToRegExp);
    for (const [k, v] of Object.entries(parent)) {
      if (v === undefined) continue;
      // Our own settings are for us, not for the servers we run.
      if (k.startsWith('ONE_MCP_')) continue;
      if (filters && !filters.some((r) => r.test(k))) continue;
      out[k] = v;
    }
  } else {
    // Even a clean environment needs these to find programs and a home.
    for (const k of ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR', 'SYSTEMROOT', 'APPDATA', 'USERPROFILE']) {
      if (parent[k] !== undefined) out[k] = parent[k]!;
    }
  }
  return { ...out, ...server.env };
}
