/**
 * The commands that register, remove and query the service with each OS's manager, as data: the CLI
 * runs them on the machine they are for and prints them otherwise (--no-enable, --platform).
 */
import { LAUNCHD_LABEL } from './launchd.ts';
import type { ServicePlatform } from './locations.ts';
import { TASK_NAME } from './schtasks.ts';
import { SYSTEMD_UNIT_NAME } from './systemd.ts';

export interface Step {
  argv: string[];
  /** Failure is expected in some states (unloading what is not loaded) and ignored. */
  mayFail?: boolean;
}

const launchdTarget = (uid: number) => `gui/${uid}/${LAUNCHD_LABEL}`;

export function enableSteps(platform: ServicePlatform, file: string, uid: number): Step[] {
  if (platform === 'linux') {
    return [
      { argv: ['systemctl', '--user', 'daemon-reload'] },
      { argv: ['systemctl', '--user', 'enable', SYSTEMD_UNIT_NAME] },
      // restart, not start: a reinstall must run the new definition.
      { argv: ['systemctl', '--user', 'restart', SYSTEMD_UNIT_NAME] },
    ];
  }
  if (platform === 'darwin') {
    return [
      { argv: ['launchctl', 'bootout', launchdTarget(uid)], mayFail: true },
      { argv: ['launchctl', 'enable', launchdTarget(uid)] },
      { argv: ['launchctl', 'bootstrap', `gui/${uid}`, file] },
    ];
  }
  return [
    { argv: ['schtasks', '/Create', '/TN', TASK_NAME, '/XML', file, '/F'] },
    { argv: ['schtasks', '/End', '/TN', TASK_NAME], mayFail: true },
    { argv: ['schtasks', '/Run', '/TN', TASK_NAME] },
  ];
}

export function disableSteps(platform: ServicePlatform, uid: number): Step[] {
  if (platform === 'linux') return [{ argv: ['systemctl', '--user', 'disable', '--now', SYSTEMD_UNIT_NAME], mayFail: true }];
  if (platform === 'darwin') return [{ argv: ['launchctl', 'bootout', launchdTarget(uid)], mayFail: true }];
  return [
    { argv: ['schtasks', '/End', '/TN', TASK_NAME], mayFail: true },
    { argv: ['schtasks', '/Delete', '/TN', TASK_NAME, '/F'], mayFail: true },
  ];
}

/** After the file is gone: let systemd forget the unit. */
export function afterRemoveSteps(platform: ServicePlatform): Step[] {
  return platform === 'linux' ? [{ argv: ['systemctl', '--user', 'daemon-reload'], mayFail: true }] : [];
}

/** Asks the manager whether the service is registered/running; exit code 0 means yes. */
export function queryStep(platform: ServicePlatform, uid: number): Step {
  if (platform === 'linux') return { argv: ['systemctl', '--user', 'is-active', SYSTEMD_UNIT_NAME] };
  if (platform === 'darwin') return { argv: ['launchctl', 'print', launchdTarget(uid)] };
  return { argv: ['schtasks', '/Query', '/TN', TASK_NAME] };
}

/** A step as a person would type it. */
export function showStep(step: Step): string {
  return step.argv.map((a) => (/^[\w@%+=:,./\\-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
