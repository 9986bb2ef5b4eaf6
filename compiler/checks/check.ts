import type { System } from '../../schemas/model.js';
import type { diagnostic, MessageDef } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import type { InterruptControllerCapabilities } from '../../schemas/component.js';

/** An interrupt controller a guest device is wired to, and what its emulator can deliver (resolved Kconfig counts). */
export interface ControllerCapabilities {
  /** Device-tree path of the controller node. */
  path: string;
  emulator: string;
  capabilities: InterruptControllerCapabilities;
  /** The deliverable ranges with Kconfig symbols resolved: [first, first + count). */
  deliverable: { first: number; count: number; what: string; symbol?: string }[];
}

/** What a check sees: the model, the limits of the runtime it will run on, and what the catalogue declares. */
export interface CheckContext {
  system: System;
  /** CONFIG_HV_MAX_CPUS (physical CPUs, and vCPUs per guest) and CONFIG_HV_MAX_VCPUS (vCPUs of all guests). */
  limits: { maxCpus: number; maxVcpus: number };
  /**
   * Whether CPUs can be shared between vCPUs: a scheduler component exists and is enabled, and the board's
   * interrupt controller has a driver it can preempt guests with. When not, why, and what would help.
   */
  scheduler: { available: true } | { available: false; why: string; help: string };
  /** Guest-physical address bits the architecture's guest translation covers. */
  guestAddressBits: number;
  /** The largest leaf mapping below a whole table (2 MiB with VMSAv8's 4 KiB granule): what placement should keep aligned. */
  blockSize: bigint;
  /** Translation granule. */
  granule: bigint;
  /** For each guest interrupt controller (by node path) the capabilities its emulator declares, when one serves it. */
  controllers: ReadonlyMap<string, ControllerCapabilities>;
}

export type Report = (message: string, span: Span | undefined, extras?: Parameters<typeof diagnostic>[3]) => void;

/**
 * A named check, like dtc's checks.c table: it has a message (code, name, default severity) and finds every
 * instance of one kind of mistake. `-W no-<name>` disables it (unless it is `mandatory`: an image that would
 * stop at boot is never built); `--werror` turns its warnings into errors.
 */
export interface Check {
  message: MessageDef;
  /** The violation would make the image fail at boot: `-W no-<name>` cannot switch it off. */
  mandatory?: boolean;
  run(ctx: CheckContext, report: Report): void;
}
