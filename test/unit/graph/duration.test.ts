import { isDuration, parseDuration, WeftError } from '../../../src/graph';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['0s', 0],
    ['5s', 5_000],
    ['1.5s', 1_500],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['PT5S', 5_000],
    ['PT0.25S', 250],
    ['PT1H30M', 5_400_000],
    ['PT90M', 5_400_000],
    ['P1D', 86_400_000],
    ['P1DT2H', 93_600_000],
    ['P2W', 1_209_600_000],
    ['P1DT1H1M1S', 90_061_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(isDuration(text)).toBe(true);
  });

  it.each(['', '5', 's', '5 s', '-5s', '5sec', '1w', '1h30m', 'P', 'PT', 'P1DT', 'P1Y', 'P1M', 'PT1.5', 'pt5s', '1e3ms'])(
    'refuses %j with VALIDATION_ERROR',
    (text) => {
      expect(() => parseDuration(text)).toThrow(WeftError);
      try {
        parseDuration(text);
      } catch (err) {
        expect((err as WeftError).code).toBe('VALIDATION_ERROR');
      }
      expect(isDuration(text)).toBe(false);
    },
  );

  it('refuses durations too large to be exact', () => {
    expect(() => parseDuration('99999999999999999d')).toThrow(/too large/);
  });
});
