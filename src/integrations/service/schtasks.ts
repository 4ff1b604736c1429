/**
 * A Windows Scheduled Task (registered as "1mcp" with `schtasks /Create /XML`) that starts serve at
 * logon and restarts it when it fails. Format: the Task Scheduler schema, version 1.2
 * (https://learn.microsoft.com/windows/win32/taskschd/task-scheduler-schema).
 * A task has no console: serve's logs go to the log file through --log-file.
 */
import { xmlEscape } from './launchd.ts';
import { assertPrintable, SERVICE_DESCRIPTION, type ServiceSpec } from './spec.ts';

export const TASK_NAME = '1mcp';

/** One argument for a Windows command line, as CommandLineToArgvW (and the C runtime) split it back. */
export function windowsQuote(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  // Backslashes are literal except before a quote: double those, and the ones before the closing quote.
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
}

/** `user`: DOMAIN\name of the account whose logon starts it (omitted: whoever registers the task). */
export function scheduledTaskXml(spec: ServiceSpec, user?: string): string {
  assertPrintable(spec);
  const userId = user ? `<UserId>${xmlEscape(user)}</UserId>` : '';
  const args = [...spec.args, '--log-file', spec.logPath].map(windowsQuote).join(' ');
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    '  <RegistrationInfo>',
    `    <Description>${xmlEscape(SERVICE_DESCRIPTION)}</Description>`,
    `    <URI>\\${TASK_NAME}</URI>`,
    '  </RegistrationInfo>',
    '  <Triggers>',
    '    <LogonTrigger>',
    '      <Enabled>true</Enabled>',
    userId ? `      ${userId}` : '',
    '    </LogonTrigger>',
    '  </Triggers>',
    '  <Principals>',
    '    <Principal id="Author">',
    userId ? `      ${userId}` : '',
    '      <LogonType>InteractiveToken</LogonType>',
    '      <RunLevel>LeastPrivilege</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
    '    <Hidden>true</Hidden>',
    '    <RestartOnFailure>',
    '      <Interval>PT1M</Interval>',
    '      <Count>999</Count>',
    '    </RestartOnFailure>',
    '    <Enabled>true</Enabled>',
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${xmlEscape(spec.command)}</Command>`,
    `      <Arguments>${xmlEscape(args)}</Arguments>`,
    `      <WorkingDirectory>${xmlEscape(spec.home)}</WorkingDirectory>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ]
    .filter((line) => line !== '')
    .concat('')
    .join('\r\n');
}
