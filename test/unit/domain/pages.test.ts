import { isWeftError } from '../../../src/graph/errors';
import { decodeCursor, encodeCursor, pageItems, type ListOrder } from '../../../src/domain/pages';

const byId: ListOrder<{ id: string }> = { list: 'things', key: (x) => [x.id], shape: ['string'] };
const items = (...ids: string[]) => ids.map((id) => ({ id }));

test('pages of a short list follow its key, and items removed or added before the cursor neither repeat nor skip one', () => {
  const first = pageItems(items('c', 'a', 'd', 'b', 'e'), byId, { limit: 2 });
  expect(first.items.map((x) => x.id)).toEqual(['a', 'b']);
  // `b` (the cursor's own item) is gone and `aa` was added before it meanwhile.
  const second = pageItems(items('aa', 'c', 'a', 'd', 'e'), byId, { limit: 2, cursor: first.nextCursor! });
  expect(second.items.map((x) => x.id)).toEqual(['c', 'd']);
  const last = pageItems(items('c', 'a', 'd', 'b', 'e'), byId, { limit: 2, cursor: second.nextCursor! });
  expect(last).toEqual({ items: [{ id: 'e' }], nextCursor: null });
});

test('descending lists and custom comparisons page the same way', () => {
  const order: ListOrder<{ n: number }> = { list: 'numbers', key: (x) => [x.n], shape: ['number'], descending: true };
  const all = [3, 10, 1, 2].map((n) => ({ n }));
  const first = pageItems(all, order, { limit: 3 });
  expect(first.items.map((x) => x.n)).toEqual([10, 3, 2]);
  expect(pageItems(all, order, { limit: 3, cursor: first.nextCursor! }).items).toEqual([{ n: 1 }]);
});

test('a cursor of another list, of another shape or not a cursor at all is refused at /cursor', () => {
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return isWeftError(err) ? { code: err.code, path: err.issues[0]?.path } : err;
    }
    return 'accepted';
  };
  for (const cursor of [encodeCursor('others', ['a']), encodeCursor('things', [1]), encodeCursor('things', ['a', 'b']), 'not-base64-json', ''])
    expect(refusal(() => decodeCursor('things', cursor, ['string']))).toEqual({ code: 'INVALID_REQUEST', path: '/cursor' });
  expect(decodeCursor('things', encodeCursor('things', ['a']), ['string'])).toEqual(['a']);
});
