export * from './limits.ts';
export * from './errors.ts';
export * from './api.ts';
export * from './client.ts';
export * from './partner.ts';
export * from './format.ts';
export * from './incident.ts';
