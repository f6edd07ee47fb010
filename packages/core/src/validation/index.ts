export {
  checkDNS1123Label,
  checkDNS1123Subdomain,
  checkDNS1035Label,
  checkQualifiedName,
  checkLabelValue,
  checkPortName,
  checkPortNumber,
  dns1123LabelMaxLength,
  dns1123SubdomainMaxLength,
} from './names.js';
