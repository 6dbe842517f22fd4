import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadContent } from '../../src/app.js';
import { loadChecklist } from '../../src/checklist/definition.js';
import { AdvisorError } from '../../src/errors.js';
import { FIXTURE_KNOWLEDGE, SHIPPED_KNOWLEDGE } from '../helpers/server.js';

const GUIDANCE = new Set(['gifts-koha', 'safetravel', 'travel-devices']);

/** A small valid checklist; each test breaks one thing in a copy. */
function valid() {
  return {
    id: 'pretrip',
    title: 'Test checklist',
    intro: 'A short checklist used by the tests.',
    steps: [
      {
        id: 'visit-type',
        label: 'Type of visit',
        question: 'Which kind of visit is it?',
        type: 'single',
        options: [
          { value: 'outbound', label: 'Overseas trip' },
          { value: 'hosting', label: 'Hosting a delegation' },
        ],
      } as Record<string, unknown>,
      {
        id: 'who-pays',
        label: 'Who pays',
        question: 'Who is paying for the trip?',
        type: 'single',
        guidance: ['gifts-koha'],
        when: { step: 'visit-type', equals: 'outbound' },
        options: [
          { value: 'council', label: 'The council' },
          { value: 'host', label: 'The foreign host' },
        ],
      } as Record<string, unknown>,
      {
        id: 'start-date',
        label: 'Start date',
        question: 'When does it start?',
        type: 'date',
        notPast: true,
      } as Record<string, unknown>,
    ],
    flags: [
      {
        id: 'host-funded',
        when: { step: 'who-pays', equals: 'host' },
        severity: 'warning',
        title: 'Hosted travel',
        advice: 'Declare hosted travel as your council requires.',
        guidance: 'gifts-koha',
      } as Record<string, unknown>,
    ],
  };
}
type Def = ReturnType<typeof valid>;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sca-checklist-def-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `text` as pretrip.yaml and returns the load error (failing the test if it loads). */
async function loadError(text: string) {
  await writeFile(join(dir, 'pretrip.yaml'), text);
  const err = await loadChecklist(dir, 'pretrip.yaml', GUIDANCE).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AdvisorError);
  expect(err).toMatchObject({ code: 'knowledge_invalid' });
  return err as AdvisorError & { problems: { entry?: string; field?: string }[] };
}

async function broken(change: (d: Def) => void) {
  const d = valid();
  change(d);
  return loadError(stringify(d));
}

describe('the shipped and fixture checklists', () => {
  it('load, with at least 12 pre-trip steps and a debrief', async () => {
    const shipped = await loadContent(SHIPPED_KNOWLEDGE);
    const pretrip = shipped.checklists.get('pretrip');
    expect(pretrip?.steps.length).toBeGreaterThanOrEqual(12);
    expect(pretrip?.flags.some((f) => f.severity === 'high')).toBe(true);
    expect(shipped.checklists.get('debrief')?.steps.length).toBeGreaterThanOrEqual(3);
    const fixture = await loadContent(FIXTURE_KNOWLEDGE);
    // The fixture copies differ from the shipped ones only in guidance ids.
    expect(fixture.checklists.get('pretrip')?.steps.map((s) => s.id)).toEqual(
      pretrip?.steps.map((s) => s.id),
    );
  });

  it('the small test checklist is valid, so each broken copy below fails for one reason', async () => {
    await writeFile(join(dir, 'pretrip.yaml'), stringify(valid()));
    const c = await loadChecklist(dir, 'pretrip.yaml', GUIDANCE);
    expect(c.steps.map((s) => s.id)).toEqual(['visit-type', 'who-pays', 'start-date']);
    expect(c.steps[0]?.optional).toBe(false);
  });
});

describe('a broken checklist is rejected naming file, entry and field', () => {
  it('a condition on an unknown step', async () => {
    const err = await broken((d) => {
      d.steps[1]!.when = { step: 'nowhere', equals: 'yes' };
    });
    expect(err.message).toContain(
      'pretrip.yaml, entry "step who-pays", field "steps.1.when": refers to step "nowhere", which is not an earlier step',
    );
  });

  it('a condition on a later step', async () => {
    const err = await broken((d) => {
      d.steps[0]!.when = { step: 'start-date', answered: true };
    });
    expect(err.message).toContain(
      'pretrip.yaml, entry "step visit-type", field "steps.0.when": refers to step "start-date", which is not an earlier step',
    );
  });

  it('a condition on the step itself', async () => {
    const err = await broken((d) => {
      d.steps[1]!.when = { step: 'who-pays', equals: 'host' };
    });
    expect(err.message).toContain('entry "step who-pays", field "steps.1.when"');
  });

  it('an unknown step deep inside all/any in a flag', async () => {
    const err = await broken((d) => {
      d.flags[0]!.when = {
        all: [{ step: 'who-pays', equals: 'host' }, { any: [{ step: 'ghost', answered: true }] }],
      };
    });
    expect(err.message).toContain(
      'pretrip.yaml, entry "flag host-funded", field "flags.0.when": refers to unknown step "ghost"',
    );
  });

  it('an option value the step does not have, in a flag or a step condition', async () => {
    const err = await broken((d) => {
      d.flags[0]!.when = { step: 'who-pays', in: ['host', 'hots'] };
      d.steps[1]!.when = { step: 'visit-type', notIn: ['inbound'] };
    });
    expect(err.message).toContain(
      'pretrip.yaml, entry "flag host-funded", field "flags.0.when": step "who-pays" has no option "hots" (options: council, host)',
    );
    expect(err.message).toContain(
      'entry "step who-pays", field "steps.1.when": step "visit-type" has no option "inbound"',
    );
    expect(err.message).toMatch(/has 2 problems/);
  });

  it('an unknown guidance id on a step or a flag', async () => {
    const err = await broken((d) => {
      d.steps[1]!.guidance = ['gifts-koha', 'no-such-entry'];
      d.flags[0]!.guidance = 'also-missing';
    });
    expect(err.message).toContain(
      'pretrip.yaml, entry "step who-pays", field "steps.1.guidance": refers to unknown guidance entry "no-such-entry"',
    );
    expect(err.message).toContain(
      'entry "flag host-funded", field "flags.0.guidance": refers to unknown guidance entry "also-missing"',
    );
  });

  it('duplicate step, flag and option ids', async () => {
    const err = await broken((d) => {
      d.steps.push({ ...d.steps[2]!, question: 'When does it start, again?' });
      d.flags.push({ ...d.flags[0]! });
      d.steps[0]!.options = [
        { value: 'outbound', label: 'Overseas trip' },
        { value: 'outbound', label: 'Also overseas' },
      ];
    });
    expect(err.message).toContain(
      'pretrip.yaml, entry "step start-date", field "steps.3.id": duplicate step id',
    );
    expect(err.message).toContain(
      'entry "flag host-funded", field "flags.1.id": duplicate flag id',
    );
    expect(err.message).toContain(
      'entry "step visit-type", field "steps.0.options": option values must be unique',
    );
  });

  it('a step type that does not exist', async () => {
    const err = await broken((d) => {
      d.steps[1]!.type = 'checkbox';
    });
    expect(err.message).toContain('pretrip.yaml, entry "step who-pays", field "steps.1.type"');
    expect(err.problems).toContainEqual(
      expect.objectContaining({
        file: 'pretrip.yaml',
        entry: 'step who-pays',
        field: 'steps.1.type',
      }),
    );
  });

  it('a field that does not belong to the step type, or a bad severity', async () => {
    const err = await broken((d) => {
      d.steps[0]!.notPast = true;
      d.flags[0]!.severity = 'critical';
    });
    expect(err.message).toContain('entry "step visit-type"');
    expect(err.message).toContain('entry "flag host-funded", field "flags.0.severity"');
  });

  it('notBefore naming a step that is not an earlier date step', async () => {
    const err = await broken((d) => {
      d.steps[2]!.notBefore = 'who-pays';
    });
    expect(err.message).toContain(
      'entry "step start-date", field "steps.2.notBefore": must name an earlier date step, not "who-pays"',
    );
  });

  it('a YAML syntax error, naming the file', async () => {
    const err = await loadError('id: pretrip\nsteps: [\n  - id: oops\n  title: "unclosed\n');
    expect(err.message).toMatch(/pretrip\.yaml: not valid YAML: /);
  });

  it('a missing file', async () => {
    const err = await loadChecklist(dir, 'nothing-here.yaml', GUIDANCE).catch((e: unknown) => e);
    expect((err as Error).message).toContain('nothing-here.yaml: the file is missing');
  });
});
