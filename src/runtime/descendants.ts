/**
 * The processes a process started (children, grandchildren …), so `1mcp stop` can wait for serve's
 * backends too — including one still connecting, which serve's status does not list yet.
 * Linux reads /proc; macOS asks `ps`; Windows has no cheap way and answers [] (serve kills its trees).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

function parentTable(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  const add = (pid: number, ppid: number) => {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  };
  if (process.platform === 'linux') {
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      try {
        const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // The command name may hold spaces and parentheses: the fields we need follow the last ')'.
        add(pid, Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {}
    }
  } else if (process.platform !== 'win32') {
    try {
      for (const line of execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8', timeout: 5000 }).split('\n')) {
        const [pid, ppid] = line.trim().split(/\s+/).map(Number);
        if (Number.isInteger(pid) && Number.isInteger(ppid)) add(pid!, ppid!);
      }
    } catch {}
  }
  return children;
}

/** Every living descendant of `root` right now. */
export function descendantsOf(root: number): number[] {
  const table = parentTable();
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const child of table.get(pid) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}
