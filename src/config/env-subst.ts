/**
 * `${VAR}` and `${VAR:-default}` in config strings (see docs/configuration.md). An undefined variable
 * without a default is reported with the place it was found, so the user knows what to export or fix.
 */
const PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface SubstitutionProblem {
  path: string;
  variable: string;
}

export function substituteEnv<T>(value: T, env: NodeJS.ProcessEnv, path: string, problems: SubstitutionProblem[]): T {
  if (typeof value === 'string') {
    return value.replace(PATTERN, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      if (v !== undefined) return v;
      problems.push({ path, variable: name });
      return '';
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}[${i}]`, problems)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, path ? `${path}.${k}` : k, problems);
    return out as T;
  }
  return value;
}

/** The variables a value refers to that are neither set (non-empty) nor given a default. */
export function unresolvedVariables(value: unknown, env: NodeJS.ProcessEnv, path = ''): SubstitutionProblem[] {
  const problems: SubstitutionProblem[] = [];
  substituteEnv(value, env, path, problems);
  return problems;
}

/** One line naming the server, the field and the variable, and what to do about it. */
export function describeUnresolved(server: string, problems: SubstitutionProblem[]): string {
  const vars = [...new Set(problems.map((p) => p.variable))];
  const where = problems.map((p) => `"${p.path}"`).filter((v, i, a) => a.indexOf(v) === i);
  const list = vars.map((v) => `\${${v}}`).join(', ');
  return `server "${server}": environment variable${vars.length > 1 ? 's' : ''} ${list} ${vars.length > 1 ? 'are' : 'is'} not set (field${where.length > 1 ? 's' : ''} ${where.join(', ')}); set ${vars.length > 1 ? 'them' : 'it'} in the environment of serve, or write \${${vars[0]}:-default}`;
}
