import { nextOpening, windowOpen } from '../../../src/domain/maintenance-windows';

const everyDay = [0, 1, 2, 3, 4, 5, 6];

test('a window is evaluated in the site time zone, and may wrap past midnight', () => {
  // 2026-03-04 (a Wednesday) 21:30 UTC is 03:30 on Thursday in UTC+6.
  const at = new Date('2026-03-04T21:30:00Z');
  expect(windowOpen({ startHour: 21, endHour: 23, daysOfWeek: everyDay }, 'UTC', at)).toBe(true);
  expect(windowOpen({ startHour: 21, endHour: 23, daysOfWeek: everyDay }, 'Etc/GMT-6', at)).toBe(false);
  expect(windowOpen({ startHour: 22, endHour: 4, daysOfWeek: [4] }, 'Etc/GMT-6', at)).toBe(true);
  expect(windowOpen({ startHour: 22, endHour: 4, daysOfWeek: [3] }, 'Etc/GMT-6', at)).toBe(false);
  expect(windowOpen({ startHour: 5, endHour: 5, daysOfWeek: [3] }, 'UTC', at)).toBe(true);
});

test('the next opening is found in the site time zone; a window on no reachable day is null', () => {
  const at = new Date('2026-03-04T21:30:00Z');
  // It is 03:30 on Thursday in UTC+6: Thursday's 02:00 has passed, Friday's is 22.5 hours away.
  expect(nextOpening({ startHour: 2, endHour: 3, daysOfWeek: everyDay }, 'Etc/GMT-6', at)).toBe(22.5 * 3_600_000);
  expect(nextOpening({ startHour: 23, endHour: 1, daysOfWeek: everyDay }, 'UTC', at)).toBe(1.5 * 3_600_000);
});
