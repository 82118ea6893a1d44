import { checkTemplate, parseTemplate, renderTemplate, renderTemplatesDeep, WeftError } from '../../../src/graph';
import { ctx } from './fixtures';

const context = ctx({
  input: { id: 42, name: 'Widget', tags: ['a', 'b'], price: 0.1, nothing: null },
  vars: { total: 150, big: true, order: { id: 'o-1', lines: 2 } },
  nodes: { fetch: { output: { status: 201 } } },
});

/** What a call throws (renderTemplate is synchronous). */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

describe('renderTemplate', () => {
  it('passes strings without markers through unchanged', () => {
    expect(renderTemplate('plain text {not a marker} $ {}', context)).toBe('plain text {not a marker} $ {}');
  });

  it('keeps the type of a template that is exactly one marker, in both syntaxes', () => {
    expect(renderTemplate('${vars.total}', context)).toBe(150);
    expect(renderTemplate('{{vars.total}}', context)).toBe(150);
    expect(renderTemplate('{{ vars.big }}', context)).toBe(true);
    expect(renderTemplate('${vars.order}', context)).toEqual({ id: 'o-1', lines: 2 });
    expect(renderTemplate('{{input.tags}}', context)).toEqual(['a', 'b']);
    expect(renderTemplate('{{input.nothing}}', context)).toBeNull();
    expect(renderTemplate('{{input.missing}}', context)).toBeUndefined();
  });

  it('stringifies values written into text', () => {
    expect(renderTemplate('Order ${input.id} for {{input.name}}', context)).toBe('Order 42 for Widget');
    expect(renderTemplate(' ${vars.total}', context)).toBe(' 150');
    expect(renderTemplate('order=${vars.order}', context)).toBe('order={"id":"o-1","lines":2}');
    expect(renderTemplate('tags=${input.tags}', context)).toBe('tags=["a","b"]');
    expect(renderTemplate('[${input.nothing}][${input.missing}]', context)).toBe('[][]');
    expect(renderTemplate('big=${vars.big}', context)).toBe('big=true');
    expect(renderTemplate('sum=${input.price + 0.2}', context)).toBe('sum=0.3');
    expect(renderTemplate('${input.id}${input.id}', context)).toBe('4242');
  });

  it('counts braces and skips string literals inside expressions', () => {
    expect(renderTemplate('${ {"a": "}"}.a }', context)).toBe('}');
    expect(renderTemplate('{{ {"a": {"b": 1}}.a.b }}', context)).toBe(1);
    expect(renderTemplate('x${ \'a}\' & "{" & input.`b` }y', ctx({ input: { b: '!' } }))).toBe('xa}{!y');
    expect(renderTemplate('${ "say \\"}\\"" }', context)).toBe('say "}"');
  });

  it('writes markers literally when escaped with a backslash', () => {
    expect(renderTemplate('\\${vars.total} is ${vars.total}', context)).toBe('${vars.total} is 150');
    expect(renderTemplate('\\{{x}}', context)).toBe('{{x}}');
  });

  it('fails with EXPRESSION_ERROR when an expression fails or a marker is open', () => {
    expect(thrown(() => renderTemplate('${1 + "a"}', context))).toMatchObject({ code: 'EXPRESSION_ERROR' });
    expect(thrown(() => renderTemplate('total ${vars.total', context))).toBeInstanceOf(WeftError);
    expect(thrown(() => renderTemplate('total {{vars.total}', context))).toMatchObject({ code: 'EXPRESSION_ERROR' });
  });
});

describe('parseTemplate', () => {
  it('splits text and expressions with their offsets', () => {
    expect(parseTemplate('a ${x} b {{ y }}')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'expression', source: 'x', syntax: '${}', offset: 4 },
      { kind: 'text', text: ' b ' },
      { kind: 'expression', source: ' y ', syntax: '{{}}', offset: 11 },
    ]);
    expect(parseTemplate('no markers')).toEqual([{ kind: 'text', text: 'no markers' }]);
    expect(parseTemplate('')).toEqual([{ kind: 'text', text: '' }]);
  });

  it('throws EXPRESSION_ERROR with the offset of an unclosed marker', () => {
    expect(() => parseTemplate('abc ${x')).toThrow(/opened with "\$\{" at offset 4 is not closed/);
  });
});

describe('checkTemplate', () => {
  it.each([
    ['plain', null],
    ['${vars.total} and {{input.id}}', null],
    ['${ {"a": "}"}.a }', null],
  ])('accepts %s', (template, expected) => {
    expect(checkTemplate(template)).toBe(expected);
  });

  it.each([
    ['${vars.total', /not closed/],
    ['{{ "abc }}', /Unterminated string/],
    ['{{ a } }}', /Unbalanced/],
    ['x ${vars.total +} y', /Expression "vars.total \+" at offset 4/],
    ['${$match(input, /(a+)+/)}', /refused/],
  ])('explains %s', (template, message) => {
    expect(checkTemplate(template)).toMatch(message);
  });
});

describe('renderTemplatesDeep', () => {
  it('renders every string in nested JSON, keeps keys and other values', () => {
    const body = {
      '${not.a.key}': 'id ${input.id}',
      count: '{{vars.order.lines}}',
      lines: [{ sku: '{{input.name}}', qty: 2, gift: false, note: null }],
      nested: { deep: ['${vars.total * 2}', 'static'] },
    };
    expect(renderTemplatesDeep(body, context)).toEqual({
      '${not.a.key}': 'id 42',
      count: 2,
      lines: [{ sku: 'Widget', qty: 2, gift: false, note: null }],
      nested: { deep: [300, 'static'] },
    });
    expect(body.count).toBe('{{vars.order.lines}}'); // the input is not modified
  });

  it('returns non-string scalars unchanged', () => {
    expect(renderTemplatesDeep(7, context)).toBe(7);
    expect(renderTemplatesDeep(null, context)).toBeNull();
  });
});
