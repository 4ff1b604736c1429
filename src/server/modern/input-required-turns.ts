/**
 * Turns on a shared backend for modern calls (docs/protocol.md, "input_required bridging"). A legacy
 * backend's question (sampling, elicitation, roots) does not say which of our calls it belongs to: over
 * stdio nothing links them, and the SDK v1 client transport does not tell on which POST stream a request
 * arrived. So exactness between credentials is made by construction: while a modern call whose client can
 * answer questions (declared sampling, elicitation or roots) runs on a backend — including while it waits
 * for its client's answers — no modern call of another token runs there; calls of one token run together,
 * and calls that can answer nothing run together whatever their token. A question during such a call can
 * then only be another token's if a legacy session calls the backend at that moment (the router refuses it).
 * The cost: with several tokens, their calls to one backend take turns while a client answers.
 */

interface Holder {
  principal: string;
  askable: boolean;
}

interface Waiter extends Holder {
  grant(): void;
}

/** Whether two calls may run on one backend at once. */
const compatible = (a: Holder, b: Holder) => a.principal === b.principal || (!a.askable && !b.askable);

class Turns {
  private readonly holders = new Set<Holder>();
  private readonly queue: Waiter[] = [];

  /** Wait for a turn; resolves with its release. Rejects (leaving the queue) when `signal` aborts first. */
  take(principal: string, askable: boolean, signal: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      const holder: Holder = { principal, askable };
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.holders.delete(holder);
        this.pump();
      };
      const waiter: Waiter = {
        principal,
        askable,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          this.holders.add(holder);
          resolve(release);
        },
      };
      const onAbort = () => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled while waiting for its turn'));
        this.pump();
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  get idle(): boolean {
    return this.holders.size === 0 && this.queue.length === 0;
  }

  /** Grant turns in arrival order, each as soon as it is compatible with every call running. */
  private pump(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      for (const h of this.holders) if (!compatible(h, next)) return;
      this.queue.shift();
      next.grant();
    }
  }
}

/** One set of turns per backend, dropped when nobody holds or waits for one. */
const byBackend = new Map<object, Turns>();

export async function takeTurn(backend: object, principal: string, askable: boolean, signal: AbortSignal): Promise<() => void> {
  let turns = byBackend.get(backend);
  if (!turns) byBackend.set(backend, (turns = new Turns()));
  const forget = () => {
    if (turns.idle && byBackend.get(backend) === turns) byBackend.delete(backend);
  };
  try {
    const release = await turns.take(principal, askable, signal);
    return () => {
      release();
      forget();
    };
  } catch (error) {
    forget();
    throw error;
  }
}

/** Backends with a turn held or awaited (for leak checks). */
export function turnsInUse(): number {
  return byBackend.size;
}
