import { operationReferences, planBulk, substituteBulkIds } from '../../src/scim/bulk-plan';
import type { BulkOperation } from '../../src/scim/bulk-request';

const post = (index: number, bulkId: string, data: unknown = {}): BulkOperation => ({ index, method: 'POST', bulkId, path: '/Users', data });
const patch = (index: number, path: string, data: unknown = {}): BulkOperation => ({ index, method: 'PATCH', path, data });

describe('bulk planning (RFC 7644 §3.7.1, §3.7.2)', () => {
  it('keeps request order except that a POST runs before what references it', () => {
    const ops = [post(0, 'g', { members: [{ value: 'bulkId:b' }] }), post(1, 'a'), post(2, 'b', { manager: { value: 'bulkId:a' } }), patch(3, '/Groups/bulkId:g')];
    const plan = planBulk(ops);
    expect(plan.order).toEqual([1, 2, 0, 3]);
    expect(plan.circular.size).toBe(0);
  });

  it('finds cycles and self-references, and leaves the operations around them alone', () => {
    const ops = [post(0, 'x', { m: 'bulkId:y' }), post(1, 'y', { m: 'bulkId:z' }), post(2, 'z', { m: 'bulkId:x' }), post(3, 's', ['bulkId:s']), post(4, 'free', { m: 'bulkId:x' })];
    const plan = planBulk(ops);
    expect([...plan.circular].sort()).toEqual([0, 1, 2, 3]);
    expect(plan.order.sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('walks a 20,000-operation reference chain without recursion', () => {
    const ops = Array.from({ length: 20000 }, (_, i) => post(i, `n${i}`, i === 0 ? {} : { manager: { value: `bulkId:n${i - 1}` } })).reverse().map((op, index) => ({ ...op, index }));
    const plan = planBulk(ops);
    expect(plan.order[0]).toBe(19999);
    expect(plan.order[19999]).toBe(0);
    expect(plan.circular.size).toBe(0);
  });

  it('collects references in paths and data at any depth, exactly prefixed', () => {
    expect([...operationReferences(patch(0, '/Groups/bulkId:g', { a: [{ b: { c: 'bulkId:u' } }], d: 'bulkid:not', e: 'x bulkId:no' }))!].sort()).toEqual(['g', 'u']);
    let deep: unknown = 'bulkId:u';
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(operationReferences(patch(0, '/Users/1', deep))).toBeUndefined();
  });

  it('substitutes references without touching the original data', () => {
    const data = { members: [{ value: 'bulkId:u' }, { value: 'kept' }] };
    expect(substituteBulkIds(data, (id) => `id-of-${id}`)).toEqual({ members: [{ value: 'id-of-u' }, { value: 'kept' }] });
    expect(data.members[0].value).toBe('bulkId:u');
  });
});
