// @sealdrop/transfer: the send and receive protocol of DESIGN.md, once, for the
// browser and the CLI. Universal code (no DOM, no Node): each app gives it ports.
export * from './errors.ts';
export * from './retry.ts';
export * from './events.ts';
export * from './ports.ts';
export * from './journal.ts';
export * from './plan.ts';
export * from './send.ts';
export * from './plaintextTap.ts';
export * from './receive.ts';
export * from './recipients.ts';
export * from './requests.ts';
export * from './outcome.ts';
export * from './progress.ts';
