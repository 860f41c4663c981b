/**
 * The Apps Script send log (src/gas/mail.ts) within the document properties' limits (9 KB a
 * value, 500 KB a store, enforced by the fake), and never the cause of a second send.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWorld } from '../../gas-fakes/world';
import type { Email } from '../../src/core/types';
import { logKey, pruneSendLog, SEND_LOG_DAYS, sendEmails, wasSent } from '../../src/gas/mail';

const g = globalThis as unknown as { MailApp?: unknown };
afterEach(() => {
  delete g.MailApp;
});

const people = Array.from(
  { length: 500 },
  (_, i) => `person${String(i + 1).padStart(3, '0')}@northwind.example`,
);

function email(key: string, to: string[], kind: Email['kind']): Email {
  return {
    key,
    kind,
    to,
    cc: [],
    from: 'pm@northwind.example',
    replyTo: 'pm@northwind.example',
    subject: key,
    text: 'x',
    html: '<p>x</p>',
  };
}

/** A meeting's emails for a 500-person team: a request and a reminder each, the pack and the digest to all. */
function week(date: string): Email[] {
  return [
    ...people.map((p) => email(`request/${date}/${p}`, [p], 'request')),
    ...people.map((p) => email(`reminder/${date}/${p}`, [p], 'reminder')),
    email(`pack/${date}`, people, 'pack'),
    email(`digest/${date}`, people, 'digest'),
  ];
}

const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('the send log', () => {
  it('stays far under 500 KB for a 500-person team over a year of weekly meetings', () => {
    const world = createWorld({ mailQuota: 10_000_000 });
    g.MailApp = world.services.MailApp;
    const props = world.services.PropertiesService.getDocumentProperties();
    let largest = 0;
    for (let w = 0; w < 52; w++) {
      const date = addDays('2026-01-08', 7 * w);
      pruneSendLog(props, addDays(date, -3));
      const result = sendEmails(week(date), props, Number.POSITIVE_INFINITY);
      expect(result.left).toEqual([]);
      const bytes = Object.entries(props.getProperties()).reduce((n, [k, v]) => n + k.length + v.length, 0);
      largest = Math.max(largest, bytes);
      world.newMailDay();
    }
    console.log(`send log: at most ${largest.toLocaleString('en-GB')} bytes in the document properties`);
    expect(largest).toBeLessThan(200 * 1024);
  });

  it('marks are short and dated, whatever the key', () => {
    const mark = logKey(
      'request/2026-12-03/someone.with.a.very.long.name@subsidiary.northwind.example/part-2',
    );
    expect(mark).toMatch(/^sent:2026-12-03:[0-9a-z]{2,14}$/);
    expect(mark.length).toBeLessThanOrEqual(30);
    expect(logKey('request/2026-12-03/ann@example.com')).not.toBe(
      logKey('request/2026-12-03/ana@example.com'),
    );
  });

  it('an email marked by an earlier release (sent:<key>) is not sent again, and its mark is pruned in time', () => {
    const world = createWorld();
    g.MailApp = world.services.MailApp;
    const props = world.services.PropertiesService.getDocumentProperties();
    props.setProperty('sent:pack/2026-12-03', '2026-12-02T09:00:00.000Z');
    const e = email('pack/2026-12-03', ['ann@example.com'], 'pack');
    expect(wasSent(e, props)).toBe(true);
    expect(sendEmails([e], props, Number.POSITIVE_INFINITY).skipped).toEqual(['pack/2026-12-03']);
    expect(world.mail.sent).toHaveLength(0);
    pruneSendLog(props, '2026-12-31');
    expect(props.getKeys()).toEqual(['sent:pack/2026-12-03']);
    pruneSendLog(props, addDays('2026-12-03', SEND_LOG_DAYS + 1));
    expect(props.getKeys()).toEqual([]);
  });

  it('pruning keeps the marks of meetings still to come and of the last four weeks', () => {
    const world = createWorld();
    g.MailApp = world.services.MailApp;
    const props = world.services.PropertiesService.getDocumentProperties();
    const dates = ['2026-10-29', '2026-11-05', '2026-11-26', '2026-12-10'];
    sendEmails(
      dates.map((d) => email(`pack/${d}`, ['ann@example.com'], 'pack')),
      props,
      Number.POSITIVE_INFINITY,
    );
    props.setProperty('milepost.other', 'kept');
    pruneSendLog(props, '2026-12-03');
    expect(props.getKeys().sort()).toEqual(
      [
        'milepost.other',
        logKey('pack/2026-11-05'),
        logKey('pack/2026-11-26'),
        logKey('pack/2026-12-10'),
      ].sort(),
    );
  });

  it('a log write that fails after the mail went out never leads to a second send', () => {
    const world = createWorld();
    g.MailApp = world.services.MailApp;
    const props = world.services.PropertiesService.getDocumentProperties();
    const e = email('pack/2026-12-03', ['ann@example.com'], 'pack');
    // The store refuses the write that records the send as done (e.g. it is full).
    const set = props.setProperty.bind(props);
    props.setProperty = (key: string, value: string) => {
      if (value === 's') throw new Error('You have exceeded the property storage quota.');
      return set(key, value);
    };
    expect(() => sendEmails([e], props, Number.POSITIVE_INFINITY)).toThrow(/quota/);
    props.setProperty = set;
    expect(sendEmails([e], props, Number.POSITIVE_INFINITY).skipped).toEqual(['pack/2026-12-03']);
    expect(world.mail.sent).toHaveLength(1);
  });

  it('an email MailApp refuses is not marked, so the next run sends it', () => {
    const world = createWorld({ mailQuota: 10_000_000 });
    const mail = world.services.MailApp;
    let refuse = true;
    g.MailApp = {
      getRemainingDailyQuota: () => mail.getRemainingDailyQuota(),
      sendEmail: (m: never) => {
        if (refuse) throw new Error('Service invoked too many times for one day: email.');
        return mail.sendEmail(m);
      },
    };
    const props = world.services.PropertiesService.getDocumentProperties();
    const e = email('pack/2026-12-03', ['ann@example.com'], 'pack');
    expect(() => sendEmails([e], props, Number.POSITIVE_INFINITY)).toThrow(/too many times/);
    expect(props.getKeys()).toEqual([]);
    refuse = false;
    expect(sendEmails([e], props, Number.POSITIVE_INFINITY).sent).toEqual(['pack/2026-12-03']);
  });
});
