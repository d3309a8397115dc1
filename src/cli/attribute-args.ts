import type { CustomAttributeInfo, CustomAttributeInput } from '../domain/schema/custom-attribute.service';
import { InvalidValueError } from '../domain/errors';
import type { CommandArgs } from './commands';

function list(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function flag(value: unknown): boolean | undefined {
  return value === undefined ? undefined : value === true || value === 'true';
}

/**
 * `provisio attribute define` options to a definition: either `--definition '<json>'` (the
 * CustomAttributeInput fields) or flags; `--sub code:string,amount:decimal` gives a complex
 * attribute's sub-attributes (name:type, optionally :caseExact).
 */
export function attributeInput(args: CommandArgs): CustomAttributeInput {
  let base: Partial<CustomAttributeInput> = {};
  if (typeof args.definition === 'string') {
    try {
      base = JSON.parse(args.definition) as Partial<CustomAttributeInput>;
    } catch (e) {
      throw new InvalidValueError(`--definition is not JSON: ${(e as Error).message}`);
    }
  }
  const subAttributes = list(args.sub)?.map((spec) => {
    const [name, type = 'string', ...opts] = spec.split(':');
    return { name, type, ...(opts.includes('caseExact') ? { caseExact: true } : {}) };
  });
  const pick = <T>(v: T | undefined, fallback: T | undefined) => (v === undefined ? fallback : v);
  return {
    ...base,
    resourceType: String(pick(args.resource as string | undefined, base.resourceType) ?? ''),
    name: String(pick(args.name as string | undefined, base.name) ?? ''),
    type: String(pick(args.type as string | undefined, base.type) ?? (subAttributes ? 'complex' : 'string')),
    ...(args.schema !== undefined ? { schema: String(args.schema) } : {}),
    ...(flag(args.multiValued) !== undefined ? { multiValued: flag(args.multiValued) } : {}),
    ...(flag(args.required) !== undefined ? { required: flag(args.required) } : {}),
    ...(flag(args.caseExact) !== undefined ? { caseExact: flag(args.caseExact) } : {}),
    ...(typeof args.mutability === 'string' ? { mutability: args.mutability } : {}),
    ...(typeof args.returned === 'string' ? { returned: args.returned } : {}),
    ...(typeof args.description === 'string' ? { description: args.description } : {}),
    ...(list(args.canonicalValues) ? { canonicalValues: list(args.canonicalValues) } : {}),
    ...(list(args.referenceTypes) ? { referenceTypes: list(args.referenceTypes) } : {}),
    ...(subAttributes ? { subAttributes } : {}),
  };
}

/** A defined attribute as the CLI prints it (--json: this object). */
export function attributeView(a: CustomAttributeInfo) {
  return { id: a.id, resourceType: a.resourceType, schema: a.schema, name: a.attribute.name, attribute: a.attribute, createdAt: a.createdAt };
}
