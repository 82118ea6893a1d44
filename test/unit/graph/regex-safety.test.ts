import { unsafeRegexReason } from '../../../src/graph';

describe('unsafeRegexReason', () => {
  it.each([
    '^[A-Z]+$',
    '\\d{3}-\\d{4}',
    '^(ab|cd)$',
    '(abc)+',
    '(\\d{3}-)+',
    '(a+)?',
    '(?:foo|bar)?baz',
    '^\\w+@\\w+\\.\\w+$',
    '[(a+)+]',
    '\\(a+\\)+',
    'a{2,}',
    '(?<year>\\d{4})-(?<month>\\d{2})',
    '\\0',
  ])('allows /%s/', (pattern) => {
    expect(unsafeRegexReason(pattern)).toBeNull();
  });

  it.each([
    ['(a+)+$', /nested quantifiers/],
    ['(a*)*', /nested quantifiers/],
    ['(a?)+', /nested quantifiers/],
    ['(\\w+\\s?)*$', /nested quantifiers/],
    ['(.*a){12}', /nested quantifiers/],
    ['((a+))+', /nested quantifiers/],
    ['(?:x+y)+?', /nested quantifiers/],
    ['(a|aa)*', /alternation/],
    ['(a|a)+$', /alternation/],
    ['((a|b)c){2,}', /alternation/],
    ['(a)\\1', /backreferences/],
    ['(?<x>a)\\k<x>', /backreferences/],
  ])('refuses /%s/', (pattern, reason) => {
    expect(unsafeRegexReason(pattern)).toMatch(reason);
  });
});
