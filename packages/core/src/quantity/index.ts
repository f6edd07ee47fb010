export { parseQuantity, isQuantity, formatBinaryQuantity } from './quantity.js';
