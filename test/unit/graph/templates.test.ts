import { checkTemplate, parseTemplate, renderTemplate, renderTemplatesDeep, WeftError } from '../../../src/graph';
import { ctx } from './fixtures';

const context = ctx({
  input: { id: 42, name: 'Widget', tags: ['a', 'b'], price: 0.1, nothing: null },
  vars: { total: 150, big: true, order: { id: 'o-1', lines: 2 } },
  nodes: { fetch: { output: { status: 201 } } },
});

describe('renderTemplate', () => {
  it('passes strings without markers through unchanged', async () => {
    expect(await renderTemplate('plain text {not a marker} $ {}', context)).toBe('plain text {not a marker} $ {}');
  });

  it('keeps the type of a template that is exactly one marker, in both syntaxes', async () => {
    expect(await renderTemplate('${vars.total}', context)).toBe(150);
    expect(await renderTemplate('{{vars.total}}', context)).toBe(150);
    expect(await renderTemplate('{{ vars.big }}', context)).toBe(true);
    expect(await renderTemplate('${vars.order}', context)).toEqual({ id: 'o-1', lines: 2 });
    expect(await renderTemplate('{{input.tags}}', context)).toEqual(['a', 'b']);
    expect(await renderTemplate('{{input.nothing}}', context)).toBeNull();
    expect(await renderTemplate('{{input.missing}}', context)).toBeUndefined();
  });

  it('stringifies values written into text', async () => {
    expect(await renderTemplate('Order ${input.id} for {{input.name}}', context)).toBe('Order 42 for Widget');
    expect(await renderTemplate(' ${vars.total}', context)).toBe(' 150');
    expect(await renderTemplate('order=${vars.order}', context)).toBe('order={"id":"o-1","lines":2}');
    expect(await renderTemplate('tags=${input.tags}', context)).toBe('tags=["a","b"]');
    expect(await renderTemplate('[${input.nothing}][${input.missing}]', context)).toBe('[][]');
    expect(await renderTemplate('big=${vars.big}', context)).toBe('big=true');
    expect(await renderTemplate('sum=${input.price + 0.2}', context)).toBe('sum=0.3');
    expect(await renderTemplate('${input.id}${input.id}', context)).toBe('4242');
  });

  it('counts braces and skips string literals inside expressions', async () => {
    expect(await renderTemplate('${ {"a": "}"}.a }', context)).toBe('}');
    expect(await renderTemplate('{{ {"a": {"b": 1}}.a.b }}', context)).toBe(1);
    expect(await renderTemplate("x${ 'a}' & \"{\" & input.`b` }y", ctx({ input: { b: '!' } }))).toBe('xa}{!y');
    expect(await renderTemplate('${ "say \\"}\\"" }', context)).toBe('say "}"');
  });

  it('writes markers literally when escaped with a backslash', async () => {
    expect(await renderTemplate('\\${vars.total} is ${vars.total}', context)).toBe('${vars.total} is 150');
    expect(await renderTemplate('\\{{x}}', context)).toBe('{{x}}');
  });

  it('fails with EXPRESSION_ERROR when an expression fails or a marker is open', async () => {
    await expect(renderTemplate('${1 + "a"}', context)).rejects.toMatchObject({ code: 'EXPRESSION_ERROR' });
    await expect(renderTemplate('total ${vars.total', context)).rejects.toBeInstanceOf(WeftError);
    await expect(renderTemplate('total {{vars.total}', context)).rejects.toMatchObject({ code: 'EXPRESSION_ERROR' });
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
  it('renders every string in nested JSON, keeps keys and other values', async () => {
    const body = {
      '${not.a.key}': 'id ${input.id}',
      count: '{{vars.order.lines}}',
      lines: [{ sku: '{{input.name}}', qty: 2, gift: false, note: null }],
      nested: { deep: ['${vars.total * 2}', 'static'] },
    };
    expect(await renderTemplatesDeep(body, context)).toEqual({
      '${not.a.key}': 'id 42',
      count: 2,
      lines: [{ sku: 'Widget', qty: 2, gift: false, note: null }],
      nested: { deep: [300, 'static'] },
    });
    expect(body.count).toBe('{{vars.order.lines}}'); // the input is not modified
  });

  it('returns non-string scalars unchanged', async () => {
    expect(await renderTemplatesDeep(7, context)).toBe(7);
    expect(await renderTemplatesDeep(null, context)).toBeNull();
  });
});
