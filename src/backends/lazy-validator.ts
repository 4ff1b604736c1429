/**
 * A JSON Schema validator that builds its Ajv instance on first use. The SDK gives every Server
 * (one per client session) and Client (one per backend) its own Ajv with formats, eagerly: about
 * 0.7 ms and 60 KB each. serve passes results through and rarely validates anything, so most of
 * them would never be used.
 */
import type { jsonSchemaValidator, JsonSchemaType, JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

export class LazyJsonSchemaValidator implements jsonSchemaValidator {
  private ajv?: AjvJsonSchemaValidator;

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    this.ajv ??= new AjvJsonSchemaValidator();
    return this.ajv.getValidator<T>(schema);
  }
}
