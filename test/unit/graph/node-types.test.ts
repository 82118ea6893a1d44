import {
  isNodeType,
  isSideEffectNode,
  isSupportedNodeType,
  NODE_TYPES,
  nodeSpec,
  parseNodeProperties,
  SUPPORTED_NODE_TYPES,
  WeftError,
} from '../../../src/graph';

describe('the node-type registry', () => {
  it('names the node types of the seed, once each', () => {
    // The seeds' 23, VALIDATION (004) and APPROVAL (issue 5).
    expect(NODE_TYPES).toHaveLength(25);
    expect(new Set(NODE_TYPES).size).toBe(NODE_TYPES.length);
    expect(NODE_TYPES).toEqual(expect.arrayContaining(['START', 'END', 'MATERIAL_CONSUME', 'NOTIFICATION', 'FALLBACK_PATH']));
  });

  it('executes exactly the types this version supports', () => {
    expect([...SUPPORTED_NODE_TYPES].sort()).toEqual([
      'API_CALL',
      'APPROVAL',
      'CUSTOM_API',
      'DATA_TRANSFORMATION',
      'END',
      'EQUIPMENT_OPERATION',
      'ERROR_HANDLER',
      'EVENT_PUBLISHER',
      'EVENT_SUBSCRIBER',
      'FALLBACK_PATH',
      'IF_THEN_ELSE',
      'LOOP',
      'MATERIAL_CONSUME',
      'NETSUITE_CONNECTOR',
      'NOTIFICATION',
      'PARALLEL',
      'QUALITY_CHECK',
      'RETRY_LOGIC',
      'SALESFORCE_CONNECTOR',
      'SAP_CONNECTOR',
      'START',
      'SUBPROCESS',
      'SWITCH',
      'VALIDATION',
      'WAIT',
    ]);
    for (const type of SUPPORTED_NODE_TYPES) {
      expect(isNodeType(type)).toBe(true);
      expect(nodeSpec(type)?.type).toBe(type);
    }
    expect(nodeSpec('NOPE')).toBeUndefined();
    expect(isSupportedNodeType('NOPE')).toBe(false);
    expect(isNodeType('start')).toBe(false);
  });

  it('declares ports', () => {
    expect(nodeSpec('IF_THEN_ELSE').ports).toEqual(['true', 'false']);
    expect(nodeSpec('SWITCH').ports).toBe('any');
    expect(nodeSpec('DATA_TRANSFORMATION').ports).toEqual([]);
    expect(nodeSpec('LOOP').ports).toEqual(['body', 'done']);
  });

  it('knows which types have side effects', () => {
    expect(isSideEffectNode('API_CALL')).toBe(true);
    expect(isSideEffectNode('SAP_CONNECTOR')).toBe(true);
    expect(isSideEffectNode('IF_THEN_ELSE')).toBe(false);
    expect(isSideEffectNode('LOOP')).toBe(false);
    expect(isSideEffectNode('WHATEVER')).toBe(false);
  });
});

describe('parseNodeProperties', () => {
  it('applies defaults', () => {
    const call = parseNodeProperties('API_CALL', { url: 'https://x.test', retry: { strategy: 'FIXED' } });
    expect(call).toEqual({
      method: 'GET',
      url: 'https://x.test',
      headers: {},
      query: {},
      maxResponseBytes: 10 * 1024 * 1024,
      timeoutMs: 30_000,
      continueOnError: false,
      retry: {
        maxAttempts: 3,
        strategy: 'FIXED',
        initialIntervalMs: 1000,
        backoffCoefficient: 2,
        maxIntervalMs: 30_000,
        jitter: false,
        nonRetryableErrorCodes: [],
      },
    });
    expect(parseNodeProperties('API_CALL', { url: 'u' }).retry).toBeUndefined();
    expect(parseNodeProperties('START', undefined)).toEqual({});
  });

  it('throws VALIDATION_ERROR with issues relative to the properties', () => {
    try {
      parseNodeProperties('IF_THEN_ELSE', { condition: 1, extra: true });
      throw new Error('expected a throw');
    } catch (err) {
      expect(err).toBeInstanceOf(WeftError);
      expect((err as WeftError).code).toBe('VALIDATION_ERROR');
      expect((err as WeftError).issues.map((i) => i.path).sort()).toEqual(['/condition', '/extra']);
    }
  });
});

describe('expressionFields', () => {
  it('lists every expression and template with its pointer', () => {
    expect(nodeSpec('DATA_TRANSFORMATION').expressionFields({ assign: { total: 'a + b', 'x/y': 'c' } })).toEqual([
      { pointer: '/assign/total', kind: 'expression', source: 'a + b' },
      { pointer: '/assign/x~1y', kind: 'expression', source: 'c' },
    ]);
    expect(nodeSpec('WAIT').expressionFields({ duration: '5s' })).toEqual([]);
    expect(nodeSpec('WAIT').expressionFields({ until: 'input.at' })).toEqual([{ pointer: '/until', kind: 'expression', source: 'input.at' }]);
    expect(nodeSpec('API_CALL').expressionFields({ url: 'u', headers: { h: 'v' }, query: { q: 'w' }, body: { a: [1, 'x', { b: 'y' }] } })).toEqual([
      { pointer: '/url', kind: 'template', source: 'u' },
      { pointer: '/headers/h', kind: 'template', source: 'v' },
      { pointer: '/query/q', kind: 'template', source: 'w' },
      { pointer: '/body/a/1', kind: 'template', source: 'x' },
      { pointer: '/body/a/2/b', kind: 'template', source: 'y' },
    ]);
  });

  it('tolerates malformed properties', () => {
    expect(nodeSpec('END').expressionFields({ output: 'not an object' })).toEqual([]);
    expect(nodeSpec('IF_THEN_ELSE').expressionFields(null)).toEqual([]);
  });
});
