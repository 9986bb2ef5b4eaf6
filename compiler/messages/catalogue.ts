import type { MessageDef } from '../diagnostics/define.js';
import { buildMessages } from '../driver/messages.js';
import { M as dtsMessages } from '../dts/messages.js';
import { modelMessages } from '../model/messages.js';
import { checkMessages } from '../checks/messages.js';
import { layoutMessages } from '../layout/messages.js';
import { archBackends } from '../arch/index.js';
import { componentMessages } from '../components/messages.js';
import { toolchainMessages } from '../toolchain/messages.js';
import { KconfigMessages } from '../kconfig/messages.js';
import { fsMessages } from '../fs/messages.js';

/** Every message hvcc can print, by area, in code order. The one list docs/diagnostics.md is made from. */
export const catalogue: { area: string; messages: MessageDef[] }[] = [
  { area: 'Usage and files (HV0xxx)', messages: [...Object.values(buildMessages), ...Object.values(fsMessages)] },
  { area: 'Device-tree language (HV1xxx)', messages: Object.values(dtsMessages) },
  { area: 'Description model (HV2xxx)', messages: Object.values(modelMessages) },
  { area: 'System checks (HV3xxx)', messages: [...Object.values(checkMessages), ...Object.values(layoutMessages), ...archBackends.flatMap((b) => Object.values(b.messages))] },
  { area: 'Runtime components and plan (HV4xxx)', messages: Object.values(componentMessages) },
  { area: 'Build and toolchain (HV5xxx)', messages: Object.values(toolchainMessages) },
  { area: 'Kconfig (HV6xxx)', messages: Object.values(KconfigMessages) },
].map((a) => ({ ...a, messages: [...a.messages].sort((x, y) => x.code.localeCompare(y.code)) }));

export function findMessage(codeOrName: string): MessageDef | undefined {
  const key = codeOrName.trim();
  for (const area of catalogue) {
    const found = area.messages.find((m) => m.code.toLowerCase() === key.toLowerCase() || m.name === key);
    if (found) return found;
  }
  return undefined;
}
