import { attr, findAttr, type AttributeDef } from '../../../src/domain/schema/attribute';
import { userResourceType } from '../../../src/domain/schema/core-schemas';

describe('findAttr (RFC 7643 §2.1: attribute names are case-insensitive)', () => {
  it('finds core attributes and sub-attributes in any case, and nothing for an unknown name', () => {
    const attrs = userResourceType.schema.attributes;
    expect(findAttr(attrs, 'USERNAME')?.name).toBe('userName');
    expect(findAttr(attrs, 'username')).toBe(findAttr(attrs, 'userName'));
    expect(findAttr(findAttr(attrs, 'emails')?.subAttributes, 'VALUE')?.name).toBe('value');
    expect(findAttr(attrs, 'nosuch')).toBeUndefined();
    expect(findAttr(undefined, 'userName')).toBeUndefined();
  });

  it('answers as a scan would when two names differ only in case (the first) and when a list grows after a lookup', () => {
    const list: AttributeDef[] = [attr('Color', 'string'), attr('color', 'integer')];
    expect(findAttr(list, 'COLOR')?.type).toBe('string');
    expect(findAttr(list, 'size')).toBeUndefined();
    list.push(attr('size', 'integer'));
    expect(findAttr(list, 'SIZE')?.name).toBe('size');
  });
});
