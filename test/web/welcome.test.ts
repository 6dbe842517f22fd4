import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ChecklistActions, startButton } from '../../src/checklist/render.js';
import { Actions, smallTalkReply } from '../../src/replies.js';

const APP = fileURLToPath(new URL('../../adapters/web/public/app.js', import.meta.url));

/** The page draws its welcome without a round trip, so it must offer what the core's help offers. */
describe("the web page's static welcome", () => {
  it('offers the same example questions and checklist buttons as the core', async () => {
    const source = await readFile(APP, 'utf8');
    const block = /const EXAMPLES = \[([\s\S]*?)\];/.exec(source)?.[1] ?? '';
    const examples = [...block.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]);
    const help = smallTalkReply('help').blocks.flatMap((b) =>
      b.type === 'buttons' ? b.buttons : [],
    );
    expect(examples).toEqual(help.map((b) => b.label));
    expect(help.every((b) => b.id === Actions.ask && b.value === b.label)).toBe(true);
    expect(source).toContain(
      `buttons: EXAMPLES.map((q) => ({ id: '${Actions.ask}', label: q, value: q }))`,
    );

    const start = startButton();
    const [button] = start.type === 'buttons' ? start.buttons : [];
    expect(source).toContain(
      `id: '${button?.id}',\n          label: '${button?.label}',\n          value: '${button?.value}',`,
    );
    expect(source).toContain(`{ id: '${ChecklistActions.myTrips}', label: 'My trips' }`);
  });
});
