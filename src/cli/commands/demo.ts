import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { openActionsByOwner } from '../../core/actions';
import { planSettings } from '../../core/cycle';
import { readRegister } from '../../core/register';
import { upcomingMeeting } from '../../core/schedule';
import { updatingMembers } from '../../core/topics';
import { writeFileAtomic } from '../../local/atomic';
import { runLocal } from '../../local/backend';
import { holdMeeting, templatesDir } from '../../local/demo';
import { initWorkspace } from '../../local/init';
import { LocalRuntime } from '../../local/runtime';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../local/server';
import { ensureSecret, makeToken } from '../../local/tokens';
import { readWorkbook } from '../../local/workbook';
import { type WorkspacePaths, workspacePaths } from '../../local/workspace';
import { emitJson, type GlobalOptions, plural, say, UsageError } from '../output';
import { sayPhase, sayValidation } from '../report';

/** The demo's fixed clock: one week of the sample team's cycle (see templates/sample/README.md). */
export const DEMO_CLOCK = {
  init: '2026-11-30T08:00:00Z',
  requests: '2026-11-30T10:00:00Z',
  firstSync: '2026-12-01T12:00:00Z',
  // The first reminder is due 12 hours before the 10:00 Wednesday deadline, Tuesday 22:00 in
  // London: out of working hours, so the ladder moves it to Wednesday's first working slot.
  reminders: '2026-12-02T09:00:00Z',
  pack: '2026-12-02T16:00:00Z',
  wrapUp: '2026-12-03T12:00:00Z',
} as const;

const MARKER = '.milepost-demo';

export async function demoCommand(dir: string | undefined, opts: GlobalOptions): Promise<number> {
  const target = path.resolve(dir ?? 'demo');
  const paths = workspacePaths(target);
  await claimDirectory(target);
  const meeting = await runWeek(target, paths);

  const outbox = await fs.readdir(paths.outbox);
  const pack = path.join(paths.packs, `${meeting}.html`);
  say('\nDone. Look at:');
  say(`  the meeting pack   ${pack}`);
  say(`  (also Markdown)    ${path.join(paths.packs, `${meeting}.md`)}`);
  say(`  the register       ${paths.register}`);
  say(`  the outbox         ${paths.outbox} (${outbox.length} emails)`);

  const form = await showUpdateForm(target, paths);
  emitJson(opts, {
    workspace: target,
    pack,
    outbox: outbox.map((f) => path.join(paths.outbox, f)),
    ...(form ? { formLink: form.link, formMeeting: form.meeting } : {}),
  });
  return 0;
}

/** Empties `target` for a new demo and marks it as one; a UsageError when it holds something else. */
async function claimDirectory(target: string): Promise<void> {
  const existing = await fs.readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    if (error.code === 'ENOTDIR')
      throw new UsageError(
        `${target} is a file, not a directory; choose another directory (milepost demo DIR).`,
      );
    throw error;
  });
  if (existing.length && !existing.includes(MARKER)) {
    throw new UsageError(
      `${target} exists and is not a Milepost demo workspace; choose another directory (milepost demo DIR).`,
    );
  }
  await fs.rm(target, { recursive: true, force: true });
  await fs.mkdir(target, { recursive: true });
  await fs.writeFile(
    path.join(target, MARKER),
    'Created by `milepost demo`; the next demo run replaces this directory.\n',
  );
}

/** Runs the sample team's week on the demo clock, step by step; returns the meeting's date. */
async function runWeek(target: string, paths: WorkspacePaths): Promise<string> {
  const rt = new LocalRuntime(target);
  const step = (text: string) => say(`\n▶ ${text}`);

  step(`Create a sample workspace in ${target}`);
  await initWorkspace(target, { sample: true });
  await useFormServer(target);
  step('Check the register');
  sayValidation(await rt.read());
  step(`Send update requests (clock: ${DEMO_CLOCK.requests})`);
  sayPhase.request(await rt.request(DEMO_CLOCK.requests), rt.kind);
  // Owners answer over three days: each line arrives at its submit time.
  const lines = (await fs.readFile(path.join(templatesDir(), 'sample', 'responses.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '');
  const arrivedBy = (clock: string) =>
    lines.filter((l) => {
      const at = Date.parse(String((JSON.parse(l) as { submittedAt?: string }).submittedAt ?? ''));
      return !(at > Date.parse(clock));
    });
  const early = arrivedBy(DEMO_CLOCK.firstSync);
  step(
    `Owners answer: ${early.length} of ${lines.length} responses have arrived in responses.jsonl by ${DEMO_CLOCK.firstSync}`,
  );
  await writeFileAtomic(paths.responses, `${early.join('\n')}\n`);
  step(`Sync the responses into the register (clock: ${DEMO_CLOCK.firstSync})`);
  sayPhase.sync(await rt.sync(DEMO_CLOCK.firstSync), rt.kind);
  const later = arrivedBy(DEMO_CLOCK.reminders);
  step(
    `${plural(later.length - early.length, 'more response')} ${later.length - early.length === 1 ? 'arrives' : 'arrive'}; sync again and remind whoever has not answered (clock: ${DEMO_CLOCK.reminders})`,
  );
  await writeFileAtomic(paths.responses, `${later.join('\n')}\n`);
  sayPhase.sync(await rt.sync(DEMO_CLOCK.reminders), rt.kind);
  sayPhase.request(await rt.request(DEMO_CLOCK.reminders, { reminders: true }), rt.kind);
  step(`The last responses arrive before the deadline: ${lines.length} lines in all`);
  await writeFileAtomic(paths.responses, `${arrivedBy(DEMO_CLOCK.pack).join('\n')}\n`);
  step(`Build and circulate the meeting pack (clock: ${DEMO_CLOCK.pack})`);
  sayPhase.pack(await rt.pack(DEMO_CLOCK.pack), rt.kind);
  step('The meeting is held: the manager records outcomes for the first topics');
  const meeting = '2026-12-03';
  const reached = await holdMeeting(paths.register, meeting);
  say(`  ${reached} topics discussed; the rest are deferred.`);
  step(`Wrap up (clock: ${DEMO_CLOCK.wrapUp})`);
  sayPhase.wrapUp(await rt.wrapUp(DEMO_CLOCK.wrapUp), rt.kind);
  return meeting;
}

/** The form server's address (`milepost serve` on this machine), as Settings "Form base URL" holds it. */
export const DEMO_FORM_BASE_URL = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;

/**
 * The demo's owners answer on the local form server: Settings "Form base URL" names it and the
 * workspace gets its secret, so each request email carries the person's own link.
 */
async function useFormServer(target: string): Promise<void> {
  await ensureSecret(target);
  await runLocal(target, 'demo', DEMO_CLOCK.init, (read) => ({
    plan: planSettings(readRegister(read.snapshot).register, { 'Form base URL': DEMO_FORM_BASE_URL }),
  }));
  say(`  Settings "Form base URL": ${DEMO_FORM_BASE_URL} (the form server, \`milepost serve\`)`);
}

/** Says how to open the update form; returns the personal link shown, if there is one. */
async function showUpdateForm(
  target: string,
  paths: WorkspacePaths,
): Promise<{ link: string; meeting: string } | undefined> {
  // The update form: owners answer on a web page behind their personal link (milepost serve).
  const secret = await ensureSecret(target);
  const { register } = readRegister((await readWorkbook(paths.register)).snapshot);
  // The next meeting as the server will see it (its clock is the real one), or else the one
  // after the demo's.
  const next =
    upcomingMeeting(register, new Date().toISOString()) ?? upcomingMeeting(register, DEMO_CLOCK.wrapUp);
  // Someone with an open action from the meeting, so the form shows that part too.
  const actionOwners = openActionsByOwner(register);
  const person =
    updatingMembers(register).find((p) => actionOwners.has(p.email)) ?? updatingMembers(register)[0];
  const link =
    next && person ? `${DEMO_FORM_BASE_URL}/u/${makeToken(secret, person.email, next.date)}` : undefined;
  say('\nOwners answer their update on a web page. Start the form server:');
  say(`  npx milepost serve -w ${target}`);
  if (link && person && next)
    say(`then open ${person.name}'s personal link for the meeting on ${next.date}:\n  ${link}`);
  return link && next ? { link, meeting: next.date } : undefined;
}
