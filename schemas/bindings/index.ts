export * from './dt.js';
export * from './hvcc.js';
