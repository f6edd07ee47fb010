export {
  checkDNS1035Label,
  checkDNS1123Label,
  checkDNS1123Subdomain,
  checkLabelValue,
  checkPortName,
  checkPortNumber,
  checkQualifiedName,
  dns1123LabelMaxLength,
  dns1123SubdomainMaxLength,
} from './names.js';
