export {
  type CoreErrorCode,
  coreErrorCodes,
  InvalidCidrError,
  InvalidIpError,
  InvalidSelectorError,
} from './catalogue.js';
export { isKemuError, KemuError } from './kemu-error.js';
