/** The lazily built JSON Schema validator given to every session's Server and backend's Client. */
import { describe, expect, test } from 'bun:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { LazyJsonSchemaValidator } from '../../src/backends/lazy-validator.ts';

describe('LazyJsonSchemaValidator', () => {
  test('validates like the SDK default once used', () => {
    const validate = new LazyJsonSchemaValidator().getValidator<{ n: number }>({ type: 'object', properties: { n: { type: 'number' }, at: { type: 'string', format: 'date-time' } }, required: ['n'] });
    expect(validate({ n: 1 })).toEqual({ valid: true, data: { n: 1 }, errorMessage: undefined });
    expect(validate({ n: 'one' }).valid).toBe(false);
    // Formats are checked (ajv-formats), as with the SDK's own validator.
    expect(validate({ n: 1, at: 'yesterday' }).valid).toBe(false);
  });

  test("a Server given one still checks a client's elicitation answer against the requested schema", async () => {
    const server = new Server({ name: 's', version: '1' }, { capabilities: {}, jsonSchemaValidator: new LazyJsonSchemaValidator() });
    const client = new Client({ name: 'c', version: '1' }, { capabilities: { elicitation: { form: {} } } });
    let answer: Record<string, unknown> = { age: 'old' };
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: answer }));
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(a), client.connect(b)]);
    try {
      const requestedSchema = { type: 'object' as const, properties: { age: { type: 'number' as const } }, required: ['age'] };
      await expect(server.elicitInput({ message: 'age?', requestedSchema })).rejects.toThrow(/does not match/);
      answer = { age: 42 };
      expect((await server.elicitInput({ message: 'age?', requestedSchema })).content).toEqual({ age: 42 });
    } finally {
      await client.close();
      await server.close();
    }
  });
});
