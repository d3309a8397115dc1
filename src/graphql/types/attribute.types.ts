import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { AttributeDef } from '../../domain/schema/attribute';
import type { CustomAttributeInfo } from '../../domain/schema/custom-attribute.service';
import { DateTime } from './scalars';

/** RFC 7643 §2.2 characteristics of one attribute, as its tenant's /Schemas shows them. */
@ObjectType({ description: 'The characteristics of an attribute (RFC 7643 §2.2), as in /Schemas' })
export class AttributeCharacteristics {
  @Field()
  name!: string;

  @Field({ description: 'string, boolean, integer, decimal, dateTime, reference, binary or complex' })
  type!: string;

  @Field()
  multiValued!: boolean;

  @Field()
  description!: string;

  @Field()
  required!: boolean;

  @Field()
  caseExact!: boolean;

  @Field({ description: 'readWrite or immutable' })
  mutability!: string;

  @Field({ description: 'default or always' })
  returned!: string;

  @Field()
  uniqueness!: string;

  @Field(() => [String], { nullable: true })
  canonicalValues!: string[] | null;

  @Field(() => [String], { nullable: true })
  referenceTypes!: string[] | null;

  static fill<T extends AttributeCharacteristics>(target: T, a: AttributeDef): T {
    return Object.assign(target, {
      name: a.name,
      type: a.type,
      multiValued: a.multiValued,
      description: a.description,
      required: a.required,
      caseExact: a.caseExact,
      mutability: a.mutability,
      returned: a.returned,
      uniqueness: a.uniqueness,
      canonicalValues: a.canonicalValues ?? null,
      referenceTypes: a.referenceTypes ?? null,
    });
  }
}

@ObjectType('AttributeDefinition', { description: "A tenant's custom attribute: a member of its extension schema (RFC 7643 §3.3)" })
export class AttributeDefinitionType extends AttributeCharacteristics {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'User or Group' })
  resourceType!: string;

  @Field({ description: 'the extension schema URN the attribute belongs to' })
  schema!: string;

  @Field(() => [AttributeCharacteristics], { nullable: true, description: 'of a complex attribute' })
  subAttributes!: AttributeCharacteristics[] | null;

  @Field(() => DateTime)
  createdAt!: Date;

  static from(a: CustomAttributeInfo): AttributeDefinitionType {
    const t = AttributeCharacteristics.fill(new AttributeDefinitionType(), a.attribute);
    return Object.assign(t, {
      id: a.id,
      resourceType: a.resourceType,
      schema: a.schema,
      createdAt: a.createdAt,
      subAttributes: a.attribute.subAttributes?.map((s) => AttributeCharacteristics.fill(new AttributeCharacteristics(), s)) ?? null,
    });
  }
}

@ObjectType({ description: 'A removed attribute definition, and how many resources lost its value' })
export class RemovedAttribute {
  @Field(() => AttributeDefinitionType)
  attribute!: AttributeDefinitionType;

  @Field(() => Int, { description: 'resources (tombstones included) whose stored value was cleared' })
  resourcesChanged!: number;
}

/** A sub-attribute of a complex attribute: simple and single-valued (RFC 7643 §2.3.8). */
@InputType({ description: 'A sub-attribute of a complex attribute (simple and single-valued, RFC 7643 §2.3.8)' })
export class SubAttributeInput {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true, description: 'default string' })
  type?: string | null;

  @Field(() => Boolean, { nullable: true })
  required?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  caseExact?: boolean | null;

  @Field(() => String, { nullable: true })
  mutability?: string | null;

  @Field(() => String, { nullable: true })
  returned?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { nullable: true })
  canonicalValues?: string[] | null;

  @Field(() => [String], { nullable: true })
  referenceTypes?: string[] | null;
}

/** The options of `provisio attribute define`, as one input (checked by the same domain service). */
@InputType({ description: 'A custom attribute definition: the options of `provisio attribute define`' })
export class DefineAttributeInput {
  @Field({ description: 'User or Group: the resource type the attribute extends' })
  resourceType!: string;

  @Field({ description: 'RFC 7643 §2.1: a letter, then letters, digits, "-", "_"' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'string | boolean | integer | decimal | dateTime | reference | binary | complex; default string, or complex with subAttributes' })
  type?: string | null;

  @Field(() => String, { nullable: true, description: 'extension schema URN (default urn:ietf:params:scim:schemas:extension:<tenant>:2.0:<User|Group>)' })
  schema?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'a list of values' })
  multiValued?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'required on create and replace (only before the tenant has resources of that type)' })
  required?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'compare strings case-sensitively' })
  caseExact?: boolean | null;

  @Field(() => String, { nullable: true, description: 'readWrite | immutable' })
  mutability?: string | null;

  @Field(() => String, { nullable: true, description: 'default | always' })
  returned?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { nullable: true, description: 'suggested values of a string attribute' })
  canonicalValues?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'for a reference: external, uri, User, Group' })
  referenceTypes?: string[] | null;

  @Field(() => [SubAttributeInput], { nullable: true, description: 'sub-attributes of a complex attribute' })
  subAttributes?: SubAttributeInput[] | null;
}
