export { formatBinaryQuantity, isQuantity, parseQuantity } from './quantity.js';
