import { BulkPlan, operationReferences, planBulk, splitCircular, substituteBulkIds } from '../../src/scim/bulk-plan';
import type { BulkOperation } from '../../src/scim/bulk-request';

const post = (index: number, bulkId: string, data: unknown = {}): BulkOperation => ({ index, method: 'POST', bulkId, path: '/Users', data });
const order = (plan: BulkPlan) => plan.steps.flatMap((s) => s.ops);
const circular = (plan: BulkPlan) => plan.steps.filter((s) => s.circular).map((s) => s.ops);
const patch = (index: number, path: string, data: unknown = {}): BulkOperation => ({ index, method: 'PATCH', path, data });

describe('bulk planning (RFC 7644 §3.7.1, §3.7.2)', () => {
  it('keeps request order except that a POST runs before what references it', () => {
    const ops = [post(0, 'g', { members: [{ value: 'bulkId:b' }] }), post(1, 'a'), post(2, 'b', { manager: { value: 'bulkId:a' } }), patch(3, '/Groups/bulkId:g')];
    const plan = planBulk(ops);
    expect(order(plan)).toEqual([1, 2, 0, 3]);
    expect(circular(plan)).toEqual([]);
  });

  it('finds cycles and self-references, and leaves the operations around them alone', () => {
    const ops = [post(0, 'x', { m: 'bulkId:y' }), post(1, 'y', { m: 'bulkId:z' }), post(2, 'z', { m: 'bulkId:x' }), post(3, 's', ['bulkId:s']), post(4, 'free', { m: 'bulkId:x' })];
    const plan = planBulk(ops);
    expect(circular(plan)).toEqual([[0, 1, 2], [3]]);
    expect(order(plan)).toEqual([0, 1, 2, 3, 4]);
  });

  it('walks a 20,000-operation reference chain without recursion', () => {
    const ops = Array.from({ length: 20000 }, (_, i) => post(i, `n${i}`, i === 0 ? {} : { manager: { value: `bulkId:n${i - 1}` } })).reverse().map((op, index) => ({ ...op, index }));
    const plan = planBulk(ops);
    expect(order(plan)[0]).toBe(19999);
    expect(order(plan)[19999]).toBe(0);
    expect(circular(plan)).toEqual([]);
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

  it('splits a POST of a cycle into what can be created now and the replaces that complete it', () => {
    const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    const data = { userName: 'a', members: [{ value: 'bulkId:x' }, { value: 'bulkId:done' }, { value: 'plain' }], [ENT]: { department: 'R&D', manager: { value: 'bulkId:x' } }, title: 'bulkId:x' };
    const { initial, later } = splitCircular(data, new Set(['x']));
    expect(initial).toEqual({ userName: 'a', members: [{ value: 'bulkId:done' }, { value: 'plain' }], [ENT]: { department: 'R&D' } });
    expect(later).toEqual([
      { op: 'replace', path: 'members', value: data.members },
      { op: 'replace', path: `${ENT}:manager`, value: { value: 'bulkId:x' } },
      { op: 'replace', path: 'title', value: 'bulkId:x' },
    ]);
  });
});
