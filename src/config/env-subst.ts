/**
 * `${VAR}` and `${VAR:-default}` in config strings (SPEC §2.2). An undefined variable without a
 * default is reported with the place it was found, so the user knows what to export or fix.
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
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, `${path}.${k}`, problems);
    return out as T;
  }
  return value;
}
