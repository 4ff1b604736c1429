/**
 * A launchd agent (`~/Library/LaunchAgents/dev.1mcp.serve.plist`) that starts serve at login and
 * restarts it when it exits with an error. Format: launchd.plist(5).
 */
import { assertPrintable, type ServiceSpec } from './spec.ts';

export const LAUNCHD_LABEL = 'dev.1mcp.serve';

export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const str = (value: string) => `<string>${xmlEscape(value)}</string>`;

export function launchdPlist(spec: ServiceSpec): string {
  assertPrintable(spec);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    `  <key>Label</key>`,
    `  ${str(LAUNCHD_LABEL)}`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...[spec.command, ...spec.args].map((a) => `    ${str(a)}`),
    '  </array>',
    '  <key>WorkingDirectory</key>',
    `  ${str(spec.home)}`,
    '  <key>RunAtLoad</key>',
    '  <true/>',
    // Restart after a crash, not after `1mcp stop` (a clean exit).
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>ThrottleInterval</key>',
    '  <integer>5</integer>',
    '  <key>ProcessType</key>',
    '  <string>Background</string>',
    // 0077: the log holds backend stderr.
    '  <key>Umask</key>',
    '  <integer>63</integer>',
    '  <key>EnvironmentVariables</key>',
    '  <dict>',
    '    <key>NO_COLOR</key>',
    '    <string>1</string>',
    ...(spec.path ? ['    <key>PATH</key>', `    ${str(spec.path)}`] : []),
    '  </dict>',
    '  <key>StandardOutPath</key>',
    `  ${str(spec.logPath)}`,
    '  <key>StandardErrorPath</key>',
    `  ${str(spec.logPath)}`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}
