/** Run `handler` once on the first SIGINT/SIGTERM/SIGHUP; a second signal exits at once. */
export function onShutdownSignal(handler: (signal: NodeJS.Signals) => void | Promise<void>): () => void {
  let called = false;
  const signals: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const listener = (signal: NodeJS.Signals) => {
    if (called) process.exit(130);
    called = true;
    void handler(signal);
  };
  for (const s of signals) process.on(s, listener);
  return () => {
    for (const s of signals) process.off(s, listener);
  };
}
