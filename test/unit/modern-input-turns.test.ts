import { describe, expect, test } from 'bun:test';
import { takeTurn, turnsInUse } from '../../src/server/modern/input-required-turns.ts';

const never = new AbortController().signal;
/** Whether a promise has settled after pending microtasks and one macrotask. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, 0));
  return done;
}

describe('turns of modern calls on one backend', () => {
  test('an askable call runs alone; parked, it lets its own token and non-askable calls run, not another token', async () => {
    const backend = {};
    const a1 = await takeTurn(backend, 'a', true, never);
    const a2 = takeTurn(backend, 'a', true, never);
    const plain = takeTurn(backend, 'b', false, never);
    expect(await settled(a2)).toBe(false);
    a1.park();
    const t2 = await a2;
    // a2 runs (askable), so the non-askable call still waits, and b's askable call queues behind it.
    expect(await settled(plain)).toBe(false);
    t2.park();
    const tp = await plain;
    const b1 = takeTurn(backend, 'b', true, never);
    expect(await settled(b1)).toBe(false);
    // a1's retry goes first, once the non-askable call is done.
    const resumed = a1.resume(never);
    expect(await settled(resumed)).toBe(false);
    tp.release();
    await resumed;
    a1.release();
    t2.release();
    (await b1).release();
    expect(turnsInUse()).toBe(0);
  });

  test('a call that ends while its retry waits to resume: the retry goes on, and the turn is not taken again', async () => {
    const backend = {};
    const a = await takeTurn(backend, 'a', true, never);
    a.park();
    const b = await takeTurn(backend, 'a', true, never);
    const resumed = a.resume(never);
    expect(await settled(resumed)).toBe(false);
    a.release();
    expect(await settled(resumed)).toBe(true);
    b.release();
    expect(turnsInUse()).toBe(0);
  });

  test('a waiter whose client goes away leaves the queue; nothing is kept', async () => {
    const backend = {};
    const held = await takeTurn(backend, 'a', true, never);
    const gone = new AbortController();
    const waiting = takeTurn(backend, 'b', true, gone.signal);
    gone.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    held.park();
    const resumeGone = new AbortController();
    const resume = held.resume(resumeGone.signal);
    expect(await settled(resume)).toBe(true);
    held.release();
    expect(turnsInUse()).toBe(0);
  });
});
