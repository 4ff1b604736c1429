/**
 * Turns on a shared backend for modern calls (docs/protocol.md, "input_required bridging"). A legacy
 * backend's question (sampling, elicitation, roots) does not say which of our calls it belongs to: over
 * stdio nothing links them, and the SDK v1 client transport does not tell on which POST stream a request
 * arrived. So the link is made by construction: a modern call whose client can answer questions (declared
 * sampling, elicitation or roots) RUNS ALONE among modern calls on its backend, and what the backend asks
 * meanwhile is that call's question. Calls that can answer nothing run together.
 *
 * A call whose questions went to its client is parked: its backend handler waits for the answers, so
 * other calls may run — except askable calls of another token, so that even a question the parked call
 * asks late can never reach another token. The retry takes the turn back before it answers.
 * The cost: askable calls to one backend run one at a time (not while parked), and a call abandoned by
 * its client holds other tokens' askable calls back until its requestTimeout.
 */

interface Holder {
  principal: string;
  askable: boolean;
  parked: boolean;
  released?: boolean;
}

interface Waiter {
  holder: Holder;
  grant(): void;
}

/** Whether `next` may start (or resume) while `running` holds a turn. */
function compatible(running: Holder, next: Holder): boolean {
  if (running === next) return true;
  if (running.parked) return running.principal === next.principal || !next.askable;
  return !running.askable && !next.askable;
}

/** A call's turn: park it while the client answers, resume it for the retry, release it at the end. */
export interface Turn {
  park(): void;
  /** Wait until the call may run again; rejects (still parked) when `signal` aborts first. */
  resume(signal: AbortSignal): Promise<void>;
  release(): void;
}

class Turns {
  private readonly holders = new Set<Holder>();
  private readonly queue: Waiter[] = [];

  /** Wait for a turn. Rejects (leaving the queue) when `signal` aborts first. */
  async take(principal: string, askable: boolean, signal: AbortSignal): Promise<Turn> {
    const holder: Holder = { principal, askable, parked: false };
    await this.wait(holder, signal, false);
    let released = false;
    return {
      park: () => {
        holder.parked = true;
        this.pump();
      },
      resume: async (s) => {
        if (released || !holder.parked) return;
        await this.wait(holder, s, true);
      },
      release: () => {
        if (released) return;
        released = true;
        holder.released = true;
        this.holders.delete(holder);
        // A retry still waiting to resume an ended call goes on at once (it finds the call's outcome).
        for (const w of this.queue.filter((q) => q.holder === holder)) {
          this.queue.splice(this.queue.indexOf(w), 1);
          w.grant();
        }
        this.pump();
      },
    };
  }

  get idle(): boolean {
    return this.holders.size === 0 && this.queue.length === 0;
  }

  /** Queue `holder` (a resumed call goes first) until it is compatible with every call holding a turn. */
  private wait(holder: Holder, signal: AbortSignal, first: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        holder,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          holder.parked = false;
          if (!holder.released) this.holders.add(holder);
          resolve();
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
      if (first) this.queue.unshift(waiter);
      else this.queue.push(waiter);
      this.pump();
    });
  }

  /** Grant turns in queue order, each as soon as it is compatible with every call holding one. */
  private pump(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      // A resuming call is compared as running (it is about to be).
      const as = next.holder.parked ? { ...next.holder, parked: false } : next.holder;
      for (const h of this.holders) if (h !== next.holder && !compatible(h, as)) return;
      this.queue.shift();
      next.grant();
    }
  }
}

/** One set of turns per backend, dropped when nobody holds or waits for one. */
const byBackend = new Map<object, Turns>();

export async function takeTurn(backend: object, principal: string, askable: boolean, signal: AbortSignal): Promise<Turn> {
  let turns = byBackend.get(backend);
  if (!turns) byBackend.set(backend, (turns = new Turns()));
  const forget = () => {
    if (turns.idle && byBackend.get(backend) === turns) byBackend.delete(backend);
  };
  try {
    const turn = await turns.take(principal, askable, signal);
    return {
      park: turn.park,
      resume: turn.resume,
      release: () => {
        turn.release();
        forget();
      },
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
