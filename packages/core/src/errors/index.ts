export { KemuError, isKemuError } from './kemu-error.js';
export {
  coreErrorCodes,
  type CoreErrorCode,
  InvalidIpError,
  InvalidCidrError,
  InvalidSelectorError,
} from './catalogue.js';
