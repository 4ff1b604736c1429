/** Version and package name, inlined at build time (never read package.json at run time). */
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
export const PACKAGE_NAME: string = pkg.name;
