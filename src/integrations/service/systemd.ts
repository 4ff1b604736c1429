/**
 * A systemd user unit (`~/.config/systemd/user/1mcp.service`) that starts serve at login and restarts
 * it when it fails. Format: systemd.unit(5), systemd.service(5), systemd.exec(5), systemd.kill(5).
 */
import { assertPrintable, SERVICE_DESCRIPTION, type ServiceSpec } from './spec.ts';

export const SYSTEMD_UNIT_NAME = '1mcp.service';

/**
 * One word of ExecStart (or an Environment= assignment): double-quoted with C-style escapes; `%` starts
 * a specifier everywhere and `$` a variable in command lines, so both are doubled to stay literal.
 */
export function systemdQuote(word: string, command = true): string {
  const escaped = word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%');
  return `"${command ? escaped.replace(/\$/g, '$$$$') : escaped}"`;
}

/** A path in a setting that takes no quoting (only specifiers are expanded). */
const literalPath = (path: string) => path.replace(/%/g, '%%');

export function systemdUnit(spec: ServiceSpec): string {
  assertPrintable(spec);
  return [
    '[Unit]',
    `Description=${SERVICE_DESCRIPTION}`,
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${[spec.command, ...spec.args].map((word) => systemdQuote(word)).join(' ')}`,
    `WorkingDirectory=${literalPath(spec.home)}`,
    // serve closes its backends itself on SIGTERM; the rest of the group is killed only after the timeout.
    'KillMode=mixed',
    'TimeoutStopSec=10',
    // `1mcp stop` (exit 0) stops it for good; a crash brings it back.
    'Restart=on-failure',
    'RestartSec=5',
    // The log holds backend stderr: owner-only, like everything in the config dir.
    'UMask=0077',
    `StandardOutput=append:${literalPath(spec.logPath)}`,
    `StandardError=append:${literalPath(spec.logPath)}`,
    `Environment=${systemdQuote('NO_COLOR=1', false)}`,
    ...(spec.path ? [`Environment=${systemdQuote(`PATH=${spec.path}`, false)}`] : []),
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}
