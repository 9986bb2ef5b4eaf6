export type * from '../../schemas/devicetree.js';
